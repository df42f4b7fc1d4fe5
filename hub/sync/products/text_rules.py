"""TikTok's character rules for product text, one set for titles and descriptions.

TikTok refuses a title (12052931) or a description (12052932) that contains HTML escape characters (such
as ``&nbsp;``), emojis or ASCII control characters, that consists only of symbols, or that repeats one
character more than 9 times in a row (docs/tiktok-client.md cites the source). A description is HTML, so
``&amp;``, ``&lt;`` and ``&gt;`` are unavoidable there and allowed; every other character is written as
itself.

Titles are checked (a refused title is a reason naming the product: the merchant words it); descriptions
are repaired (emoji and control characters removed, special spaces made plain, long runs shortened) and
the product's warnings say what changed. Both use the definitions below, so the two cannot disagree.

What counts as an emoji: an emoji sequence of Unicode's emoji data (the ``emoji`` library), except a
symbol such as ``™``, ``©`` or ``✔`` written on its own, which Unicode shows as text, not as a picture
(status "unqualified"); with the emoji presentation selector (``❤️``) it is an emoji (docs/decisions.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import emoji
from bs4 import BeautifulSoup

REPEAT_LIMIT = 9  # TikTok: "more than 9 consecutive repeated characters" is refused

_UNQUALIFIED = emoji.STATUS["unqualified"]
# C0 and C1 controls except tab, line feed and carriage return (which HTML and titles treat as spaces)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_REPEAT = re.compile(r"(.)\1{%d,}" % REPEAT_LIMIT, re.DOTALL)
_WORDY = re.compile(r"[^\W_]")  # a letter or digit of any script
_SPACES = re.compile(r"\s+")
_CANDIDATES = re.compile("[#*0-9]?[\u00a9-\U0010ffff]+")
_TITLE_DROP = ("script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math")
_TITLE_BREAKS = ("br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6")


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """Where the emoji are. Every emoji sequence is made of characters from U+00A9 (©) up, but for a
    keycap's first character (``#``, ``*``, a digit), so only those stretches go through the (slow)
    tokenizer."""
    spans = []
    for window in _CANDIDATES.finditer(text):
        for match in emoji.emoji_list(window.group(0)):
            found = match["emoji"]
            data = emoji.EMOJI_DATA.get(found) or {}
            if data.get("status") == _UNQUALIFIED and len(found) == 1:
                continue  # a text symbol (™, ©, ✔): shown as text, not an emoji
            spans.append((window.start() + match["match_start"], window.start() + match["match_end"]))
    return spans


def has_emoji(text: str) -> bool:
    return bool(_emoji_spans(text))


def remove_emoji(text: str) -> tuple[str, int]:
    """The text without its emoji, and how many were removed."""
    spans = _emoji_spans(text)
    if not spans:
        return text, 0
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts), len(spans)


def remove_controls(text: str) -> tuple[str, int]:
    return _CONTROL.subn("", text)


def plain_spaces(text: str) -> str:
    """Every space separator (no-break, thin, ideographic…) as a plain space: HTML would write ``&nbsp;``."""
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)


class RunLimiter:
    """Shortens runs of one character to `REPEAT_LIMIT`, across pieces fed in reading order (a run may
    continue past a formatting tag); `shortened` counts the runs that were cut."""

    def __init__(self) -> None:
        self.last = ""
        self.count = 0
        self.shortened = 0
        self._in_long_run = False

    def feed(self, text: str) -> str:
        out = []
        for char in text:
            if char == self.last:
                self.count += 1
            else:
                self.last, self.count, self._in_long_run = char, 1, False
            if self.count > REPEAT_LIMIT:
                if not self._in_long_run:
                    self.shortened += 1
                    self._in_long_run = True
                continue
            out.append(char)
        return "".join(out)


@dataclass
class Repairs:
    """What was changed in a description's text to meet TikTok's rules (for the product's warnings)."""

    emoji: int = 0
    controls: int = 0
    runs: int = 0

    def text(self, value: str) -> str:
        value, removed = remove_emoji(plain_spaces(value))
        self.emoji += removed
        value, removed = remove_controls(value)
        self.controls += removed
        return value

    def warnings(self) -> list[str]:
        out = []
        if self.emoji:
            out.append(f"{self.emoji} emoji {'was' if self.emoji == 1 else 'were'} removed from the description; "
                       "TikTok does not accept emoji.")
        if self.controls:
            out.append(f"{self.controls} control character{'' if self.controls == 1 else 's'} "
                       f"{'was' if self.controls == 1 else 'were'} removed from the description; TikTok does not "
                       "accept control characters.")
        if self.runs:
            out.append(f"A character repeated more than {REPEAT_LIMIT} times in a row was shortened to "
                       f"{REPEAT_LIMIT} ({self.runs} place{'' if self.runs == 1 else 's'} in the description); "
                       "TikTok does not accept longer runs.")
        return out


def plain_title(raw: str) -> str:
    """A store title as plain text: tags removed (scripts with their content), entities decoded, whitespace
    collapsed. Repeated until nothing changes, so an escaped tag (``&lt;b&gt;``) or a doubly escaped
    entity (``&amp;amp;``) does not survive as markup or as an entity either."""
    text = raw
    for _ in range(10):
        soup = BeautifulSoup(text, "lxml")
        for element in soup.find_all(_TITLE_DROP):
            if not element.decomposed:
                element.decompose()
        for element in soup.find_all(_TITLE_BREAKS):
            element.insert_before(" ")
            element.insert_after(" ")
        cleaned = _SPACES.sub(" ", plain_spaces(soup.get_text())).strip()
        if cleaned == text:
            break
        text = cleaned
    return text


def refusals(text: str) -> list[str]:
    """Why TikTok would refuse `text` as a title (or as a description's text), in the merchant's words."""
    out = []
    if has_emoji(text):
        out.append("emoji")
    if _CONTROL.search(text):
        out.append("control characters")
    if _ENTITY.search(text):
        out.append(f"the HTML code {_ENTITY.search(text).group(0)}")  # type: ignore[union-attr]
    repeat = _REPEAT.search(text)
    if repeat:
        out.append(f"'{repeat.group(1)}' repeated {len(repeat.group(0))} times in a row (TikTok allows "
                   f"{REPEAT_LIMIT})")
    if text.strip() and not _WORDY.search(text):
        out.append("no letters or digits, only symbols")
    return out
