"""Store description HTML rewritten into HTML that TikTok Shop accepts, without losing information.

TikTok's current documentation says every valid HTML tag is accepted, but it still has error codes for
unsupported tags, nesting and attributes (12052344–12052352) and older documentation lists the only safe
set: ``<p> <img> <ul> <ol> <li> <br> <strong> <b> <i> <em> <u>``, no nesting, inline tags only inside
``<p>``/``<li>`` (docs/tiktok-api.md). We emit only that set, never nested, so the description passes
under either reading:

* paragraphs, line breaks, bullet lists and bold/italic/underline are kept (``<b>``/``<i>`` become
  ``<strong>``/``<em>``; bold inside bold is not nested);
* headings become bold paragraphs;
* tables become one ``<p>`` per row (docs/product-rules.md). With a header row (``<thead>`` or a first row of ``<th>``)
  a row reads ``Size: M; Chest: 96 cm``; a row whose first cell is a ``<th>``, or any row of a two-column
  table without headers (the usual "specification" table), reads ``Material: Cotton``; any other table
  without headers reads ``a | b | c``;
* ordered lists become numbered paragraphs (``1. …``; nested ordered lists ``1.1. …``) because a real
  ``<ol>`` would be either rejected or renumbered;
* nested lists are flattened in document order: inside a bullet list, deeper items follow their parent as
  items marked ``– `` per level (bulleted) or ``1. `` (numbered); inside a numbered list, bulleted
  sub-items form a bullet list under their numbered paragraph; text after a sub-list stays with its item;
* pictures become top-level ``<img>`` elements (moved out of lists, tables and paragraphs, in order);
* scripts, styles, frames, embedded media, form controls and comments disappear; every other unknown tag
  is unwrapped so its text stays; links keep their text only (TikTok does not allow outbound links).

Characters follow TikTok's text rules (hub.sync.products.text_rules, shared with titles): characters are
written as themselves, never as entities (only ``&amp;``, ``&lt;`` and ``&gt;``, which HTML needs); special
spaces become plain spaces; emoji and control characters are removed and runs of one character longer
than 9 are shortened to 9, each with a warning.

TikTok counts the ``description`` string, markup included, against its 10,000-character limit and does
not say how characters are counted. We count UTF-16 code units (what Java and JavaScript string lengths
report; a character outside the Basic Multilingual Plane counts as two), the stricter of the plausible
readings. Whole paragraphs, list items and pictures are kept while they fit; the one that crosses the
limit is cut inside, after its last whole sentence that fits (when that is near the limit), else after
its last whole word (marked with "…"), else, for text of hundreds of characters without a space,
between characters; the warning says how much text was left out.

Pictures must be TikTok-hosted and carry ``width``/``height``. Conversion therefore runs twice: the first
call (no ``image_map``) reports the picture addresses to re-host; the second, given
``{original_url: (tiktok_url, width, height)}``, writes the final HTML and drops pictures that could not be
re-hosted. Without ``image_map`` the HTML keeps the store's picture addresses and is only a preview.
"""

from __future__ import annotations

import html as html_lib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import nh3
from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

from hub.sync.products.errors import DescriptionError
from hub.sync.products.text_rules import Repairs, RunLimiter

MAX_CHARS = 10_000
MAX_IMAGES = 30
SENTENCE_SLACK = 500  # cut after the last whole sentence if it leaves out at most this many characters more

_INLINE_TAGS = {"br", "strong", "em", "u"}
_FORMAT = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "u", "ins": "u"}
_MEDIA = {"iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio", "canvas", "svg", "math"}
_DROP = _MEDIA | {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base",
    "input", "select", "option", "optgroup", "datalist", "textarea", "source", "track", "map", "area",
}
_BLOCK = {
    "html", "body", "p", "div", "section", "article", "aside", "header", "footer", "main", "nav", "blockquote",
    "figure", "figcaption", "address", "details", "summary", "dl", "dd", "center", "fieldset", "legend",
    "form", "hgroup", "li", "hr", "tr", "tbody", "thead", "tfoot", "caption", "search", "menu",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "dt"}
_WS = re.compile(r"[ \t\n\r\f\v]+")
_IMAGE_SOURCES = ("src", "data-src", "data-original", "data-lazy-src")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class DescriptionResult:
    html: str
    image_urls: list[str]
    warnings: list[str] = field(default_factory=list)


def has_text(html: str) -> bool:
    """Whether converted description HTML shows any letter or digit (pictures alone do not count)."""
    return any(c.isalnum() for c in BeautifulSoup(html, "html.parser").get_text())


def tiktok_length(text: str) -> int:
    """Length as TikTok is assumed to count it (UTF-16 code units; see the module docstring)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------- inline


class _Line:
    """Inline HTML (escaped text, ``<br>``, one level of formatting) for one paragraph or list item."""

    def __init__(self, open_format: str | None) -> None:
        self.parts: list[str] = [f"<{open_format}>"] if open_format else []

    def add(self, fragment: str) -> None:
        self.parts.append(fragment)

    def html(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r" {2,}", " ", text)
        text = re.sub(r" ?<br> ?", "<br>", text)
        previous = None
        while previous != text:
            previous = text
            text = re.sub(r"<(strong|em|u)>((?:\s|<br>)*)</\1>", r"\2", text)
        text = re.sub(r"(?:<br>){3,}", "<br><br>", text)
        text = re.sub(r"^(?:\s|<br>)+|(?:\s|<br>)+$", "", text)
        text = re.sub(r"<(strong|em|u)>(?:\s|<br>)+", r"<\1>", text)
        return text

    def ends_with_break(self) -> bool:
        for part in reversed(self.parts):
            if part.strip():
                return part == "<br>"
        return True

    def visible(self) -> bool:
        return bool(re.sub(r"<[^>]+>", "", self.html()).strip())


@dataclass
class _ListItem:
    kind: str  # "ul" | "ol"
    label: str
    html: str


@dataclass
class _Block:
    kind: str  # "p" | "ul" | "img"
    html: str = ""
    items: list[str] = field(default_factory=list)
    image_url: str = ""


# ----------------------------------------------------------------------------------------------- flows


class _Flow(ABC):
    """Where walked content goes. Subclasses decide what a block break, a list, a table or a picture
    means at that place: top level (paragraphs) or inside a list item / table cell (line breaks)."""

    def __init__(self, converter: "_Converter") -> None:
        self.converter = converter
        self.format: str | None = None
        self.preserve = 0
        self.line = _Line(None)

    def text(self, value: str) -> None:
        value = self.converter.repairs.text(value)
        if self.preserve:
            pieces = value.replace("\r\n", "\n").split("\n")
            for index, piece in enumerate(pieces):
                if index:
                    self.line_break()
                self.line.add(html_lib.escape(piece, quote=False))
        else:
            self.line.add(html_lib.escape(_WS.sub(" ", value), quote=False))

    def line_break(self) -> None:
        self.line.add("<br>")

    def with_format(self, tag: str, walk: Callable[[], None]) -> None:
        if self.format is not None:
            walk()
            return
        self.format = tag
        self.line.add(f"<{tag}>")
        walk()
        self.line.add(f"</{tag}>")
        self.format = None

    @abstractmethod
    def block_break(self) -> None: ...

    @abstractmethod
    def image(self, url: str) -> None: ...

    @abstractmethod
    def list(self, element: Tag) -> None: ...

    @abstractmethod
    def table(self, element: Tag) -> None: ...


class _BlockFlow(_Flow):
    """Top level: text gathers into ``<p>`` blocks; lists, tables and pictures become their own blocks."""

    def __init__(self, converter: "_Converter") -> None:
        super().__init__(converter)
        self.blocks: list[_Block] = []

    def block_break(self) -> None:
        if self.format:
            self.line.add(f"</{self.format}>")
        if self.line.visible():
            self.blocks.append(_Block("p", html=self.line.html()))
        self.line = _Line(self.format)

    def finish(self) -> list[_Block]:
        self.block_break()
        return self.blocks

    def image(self, url: str) -> None:
        self.block_break()
        self.blocks.append(_Block("img", image_url=url))

    def list(self, element: Tag) -> None:
        self.block_break()
        items: list[_ListItem] = []
        images: list[str] = []
        self.converter.collect_list(element, items, images, ordered_path=(), bullet_depth=0)
        top_is_bullets = element.name != "ol"
        bullets: _Block | None = None
        for item in items:
            text = f"{html_lib.escape(item.label, quote=False)}{item.html}"
            if top_is_bullets or item.kind == "ul":
                if bullets is None:
                    bullets = _Block("ul")
                    self.blocks.append(bullets)
                bullets.items.append(text)
            else:
                bullets = None
                self.blocks.append(_Block("p", html=text))
        for url in images:
            self.blocks.append(_Block("img", image_url=url))

    def table(self, element: Tag) -> None:
        self.block_break()
        images: list[str] = []
        for line in self.converter.table_lines(element, images):
            self.blocks.append(_Block("p", html=line))
        for url in images:
            self.blocks.append(_Block("img", image_url=url))


class _LineFlow(_Flow):
    """Inside a list item or table cell: blocks become line breaks, pictures are moved out (collected in
    ``images``), nested lists are collected for the caller or, in cells, written as lines."""

    def __init__(self, converter: "_Converter", *, lists_inline: bool) -> None:
        super().__init__(converter)
        self.lists_inline = lists_inline
        self.images: list[str] = []
        self.nested_lists: list[Tag] = []

    def block_break(self) -> None:
        if not self.line.ends_with_break():
            self.line_break()

    def image(self, url: str) -> None:
        self.text(" ")
        self.images.append(url)

    def list(self, element: Tag) -> None:
        if not self.lists_inline:
            self.text(" ")
            self.nested_lists.append(element)
            return
        items: list[_ListItem] = []
        self.converter.collect_list(element, items, self.images, ordered_path=(), bullet_depth=0)
        for item in items:
            self.line_break()
            self.line.add(html_lib.escape(item.label or "• ", quote=False) + item.html)
        self.line_break()

    def table(self, element: Tag) -> None:
        for line in self.converter.table_lines(element, self.images):
            self.line_break()
            self.line.add(line)
        self.line_break()

    def finish(self) -> str:
        return self.line.html()


# ------------------------------------------------------------------------------------------- converter


class _Converter:
    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.dropped_media = False
        self.dropped_links = False
        self.unusable_images = 0
        self.repairs = Repairs()

    # --- walking

    def walk_children(self, node: Tag, flow: _Flow) -> None:
        for child in list(node.children):
            self.walk(child, flow)

    def walk(self, node: object, flow: _Flow) -> None:
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            return
        if isinstance(node, NavigableString):
            flow.text(str(node))
            return
        if not isinstance(node, Tag):
            return
        name = (node.name or "").lower()
        if name in _DROP:
            return
        if name == "br":
            flow.line_break()
        elif name == "img":
            url = self.image_url(node)
            if url:
                flow.image(url)
        elif name in ("ul", "ol", "menu"):
            flow.list(node)
        elif name == "table":
            flow.table(node)
        elif name in _HEADINGS:
            flow.block_break()
            flow.with_format("strong", lambda: self.walk_children(node, flow))
            flow.block_break()
        elif name == "pre":
            flow.block_break()
            flow.preserve += 1
            self.walk_children(node, flow)
            flow.preserve -= 1
            flow.block_break()
        elif name in _BLOCK:
            flow.block_break()
            self.walk_children(node, flow)
            flow.block_break()
        elif name in _FORMAT:
            flow.with_format(_FORMAT[name], lambda: self.walk_children(node, flow))
        elif name in ("td", "th", "button", "label"):
            flow.text(" ")
            self.walk_children(node, flow)
            flow.text(" ")
        else:
            if name == "a" and node.get("href"):
                self.dropped_links = True
            self.walk_children(node, flow)

    # --- pictures

    def image_url(self, node: Tag) -> str | None:
        raw = next((str(node.get(key)).strip() for key in _IMAGE_SOURCES if node.get(key)), "")
        if not raw and node.get("srcset"):
            raw = str(node.get("srcset")).split(",")[0].strip().split(" ")[0]
        if not raw:
            return None
        if raw.startswith("//"):
            raw = "https:" + raw
        scheme = urlsplit(raw).scheme.lower()
        if not scheme and self.base_url:
            raw = urljoin(self.base_url, raw)
            scheme = urlsplit(raw).scheme.lower()
        if scheme not in ("http", "https") or not urlsplit(raw).hostname:
            self.unusable_images += 1
            return None
        return raw

    # --- lists

    def collect_list(
        self,
        element: Tag,
        items: list[_ListItem],
        images: list[str],
        *,
        ordered_path: tuple[int, ...],
        bullet_depth: int,
    ) -> None:
        """Flatten one list (and its sub-lists, in document order) into labelled items."""
        ordered = element.name == "ol"
        number = _start(element) if ordered else 0
        for child in list(element.children):
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString) and not str(child).strip():
                continue
            if isinstance(child, Tag) and (child.name or "").lower() in _DROP:
                continue
            flow = _LineFlow(self, lists_inline=False)
            if isinstance(child, Tag) and child.name == "li":
                self.walk_children(child, flow)
            else:
                self.walk(child, flow)
            if ordered:
                label = ".".join(str(n) for n in (*ordered_path, number)) + ". "
            else:
                label = "– " * bullet_depth
            line = flow.finish()
            if re.sub(r"<[^>]+>", "", line).strip():
                items.append(_ListItem("ol" if ordered else "ul", label, line))
            images.extend(flow.images)
            for nested in flow.nested_lists:
                self.collect_list(
                    nested,
                    items,
                    images,
                    ordered_path=(*ordered_path, number) if ordered else ordered_path,
                    bullet_depth=bullet_depth if ordered else bullet_depth + 1,
                )
            if ordered:
                number += 1

    # --- tables

    def table_lines(self, table: Tag, images: list[str]) -> list[str]:
        """One line of inline HTML per row: "Header: value; Header: value" (see the module docstring)."""
        lines: list[str] = []
        caption = next((c for c in table.find_all("caption") if _owner_table(c) is table), None)
        if caption is not None:
            flow = _LineFlow(self, lists_inline=True)
            self.walk_children(caption, flow)
            if re.sub(r"<[^>]+>", "", flow.finish()).strip():
                lines.append(f"<strong>{flow.finish()}</strong>")
            images.extend(flow.images)

        rows: list[list[tuple[str, str, bool, int]]] = []  # (label text, value html, is_th, colspan)
        header_index: int | None = None
        for row in (r for r in table.find_all("tr") if _owner_table(r) is table):
            cells = []
            for cell in row.find_all(["td", "th"], recursive=False):
                flow = _LineFlow(self, lists_inline=True)
                self.walk_children(cell, flow)
                images.extend(flow.images)
                value = flow.finish()
                label = _WS.sub(" ", Repairs().text(cell.get_text(" "))).strip()
                cells.append((label, value, cell.name == "th", _colspan(cell)))
            if not cells:
                continue
            head = row.find_parent("thead")
            in_head = head is not None and _owner_table(head) is table
            if header_index is None and not rows and (in_head or all(is_th for _, _, is_th, _ in cells)):
                if len(cells) > 1 or in_head:
                    header_index = 0
            rows.append(cells)

        headers: list[str] = []
        if header_index is not None:
            for label, _, _, span in rows[header_index]:
                headers.extend([label] * span)
        width = max((sum(span for *_, span in row) for row in rows), default=0)

        for index, cells in enumerate(rows):
            if index == header_index:
                continue
            values = [(value, span) for _, value, _, span in cells]
            parts: list[str] = []
            if headers:
                column = 0
                for value, span in values:
                    label = headers[column] if column < len(headers) else ""
                    column += span
                    if not _has_text(value):
                        continue
                    parts.append(f"{html_lib.escape(label, quote=False)}: {value}" if label else value)
                line = "; ".join(parts)
            elif len(cells) > 1 and (cells[0][2] or width == 2):
                label = cells[0][0]
                rest = " | ".join(v for v, _ in values[1:] if _has_text(v))
                line = f"{html_lib.escape(label, quote=False)}: {rest}" if rest else html_lib.escape(label, quote=False)
            else:
                line = " | ".join(v for v, _ in values if _has_text(v))
            if _has_text(line):
                lines.append(line)
        return lines


def _has_text(fragment: str) -> bool:
    return bool(re.sub(r"<[^>]+>", "", fragment).strip())


def _owner_table(node: Tag) -> Tag | None:
    return node.find_parent("table")


def _colspan(cell: Tag) -> int:
    try:
        return min(max(int(str(cell.get("colspan", "1")).strip()), 1), 100)
    except ValueError:
        return 1


def _start(element: Tag) -> int:
    try:
        return int(str(element.get("start", "1")).strip())
    except ValueError:
        return 1


# ------------------------------------------------------------------------------------------ rendering


def _clean_inline(fragment: str) -> str:
    """Final allow-list pass: whatever was built, only inline tags without attributes survive."""
    return nh3.clean(fragment, tags=_INLINE_TAGS, attributes={}, strip_comments=True)


def _image_html(url: str, mapped: tuple[str, int, int] | None) -> str:
    if mapped is None:
        element = f'<img src="{html_lib.escape(url)}">'
    else:
        src, width, height = mapped
        element = f'<img src="{html_lib.escape(str(src))}" width="{int(width)}" height="{int(height)}">'
    return nh3.clean(
        element, tags={"img"}, attributes={"img": {"src", "width", "height"}}, url_schemes={"http", "https"}
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def convert_description(
    html: str,
    *,
    image_map: Mapping[str, tuple[str, int, int]] | None = None,
    base_url: str | None = None,
) -> DescriptionResult:
    """Convert store description HTML (see the module docstring for the rules).

    ``base_url`` (the product page) resolves relative picture addresses; without it they are dropped.
    """
    if html is None:
        html = ""
    if not isinstance(html, str):
        raise DescriptionError("description_not_text", "The product description is not text.")

    soup = BeautifulSoup(html, "lxml")
    converter = _Converter(base_url)
    for element in soup.find_all(_DROP):
        if element.decomposed:
            continue
        if element.name in _MEDIA:
            converter.dropped_media = True
        element.decompose()
    flow = _BlockFlow(converter)
    converter.walk_children(soup, flow)
    blocks = flow.finish()

    warnings: list[str] = []
    rendered: list[tuple[str, list[str]]] = []  # (kind, pieces) ready for the length cut
    image_urls: list[str] = []
    images_seen = 0
    too_many = 0
    not_rehosted = 0
    for block in blocks:
        if block.kind == "img":
            images_seen += 1
            if images_seen > MAX_IMAGES:
                too_many += 1
                continue
            if block.image_url not in image_urls:
                image_urls.append(block.image_url)
            mapped = None
            if image_map is not None:
                mapped = image_map.get(block.image_url)
                if mapped is None:
                    not_rehosted += 1
                    continue
            rendered.append(("img", [_image_html(block.image_url, mapped)]))
        elif block.kind == "ul":
            items = [f"<li>{_clean_inline(item)}</li>" for item in block.items]
            if items:
                rendered.append(("ul", items))
        else:
            rendered.append(("p", [f"<p>{_clean_inline(block.html)}</p>"]))

    rendered, converter.repairs.runs = _limit_runs(rendered)
    warnings.extend(converter.repairs.warnings())
    output, cut = _cut_to_limit(rendered)

    if converter.dropped_media:
        warnings.append(
            "Embedded videos, frames or other media were removed from the description; "
            "TikTok descriptions can hold only text and pictures."
        )
    if converter.dropped_links:
        warnings.append("Links were removed from the description (their text was kept); TikTok does not allow links.")
    if converter.unusable_images:
        warnings.append(
            f"{_plural(converter.unusable_images, 'description picture was', 'description pictures were')} "
            "left out because the picture address is not a full web address (http or https)."
        )
    if too_many:
        warnings.append(
            f"The description has {images_seen} pictures; TikTok allows {MAX_IMAGES}, "
            f"so the last {_plural(too_many, 'picture was', 'pictures were')} left out."
        )
    if not_rehosted:
        warnings.append(
            f"{_plural(not_rehosted, 'description picture', 'description pictures')} could not be copied to "
            "TikTok and were left out."
        )
    if cut.chars or cut.left_out:
        what = [f"the end of 1 {cut.partial}"] if cut.partial else []
        if cut.left_out:
            what.append(_plural(cut.left_out, "paragraph, list item or picture", "paragraphs, list items or pictures")
                        + (" after it" if cut.partial else ""))
        warnings.append(
            f"The description is longer than TikTok allows ({MAX_CHARS:,} characters, formatting included), so its "
            f"end was cut: {_plural(cut.chars, 'character', 'characters')} of text {'was' if cut.chars == 1 else 'were'} "
            f"left out ({' and '.join(what)})."
        )
    return DescriptionResult(html=output, image_urls=image_urls, warnings=warnings)


def _limit_runs(rendered: list[tuple[str, list[str]]]) -> tuple[list[tuple[str, list[str]]], int]:
    """Runs of one character shortened, on the text in reading order across tags and blocks; also
    returns how many runs were shortened. One parse of the whole description: each piece is one
    top-level element of it (``<p>``, ``<li>`` or ``<img>``), so the pieces are rebuilt in order."""
    soup = BeautifulSoup("".join(part for _kind, parts in rendered for part in parts), "html.parser")
    limiter = RunLimiter()
    for string in list(soup.find_all(string=True)):
        limited = limiter.feed(str(string))
        if limited != str(string):
            string.replace_with(limited)
    if not limiter.shortened:
        return rendered, 0
    elements = iter(child for child in soup.contents if isinstance(child, Tag) and child.name != "img")
    rebuilt = [(kind, parts if kind == "img" else [_serialise(next(elements)) for _part in parts])
               for kind, parts in rendered]
    return rebuilt, limiter.shortened


_CHARACTERS = HTMLFormatter(entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix="")


def _serialise(soup: Tag) -> str:
    """Characters as themselves: only ``&``, ``<`` and ``>`` are escaped (no ``&nbsp;``), void tags as ``<br>``."""
    return soup.decode(formatter=_CHARACTERS)


def _text_length(fragment: str) -> int:
    return len(BeautifulSoup(fragment, "html.parser").get_text())


@dataclass
class _Cut:
    left_out: int = 0  # whole paragraphs, list items or pictures left out
    chars: int = 0  # characters of text left out
    partial: str = ""  # "paragraph" / "list item" when one was cut inside


def _truncated(fragment: str, keep: int, suffix: str = "") -> str:
    """The block (``<p>…</p>`` or ``<li>…</li>``) with only the first `keep` characters of its text."""
    soup = BeautifulSoup(fragment, "html.parser")
    remaining = keep
    last = None
    for string in list(soup.find_all(string=True)):
        if remaining >= len(string):
            remaining -= len(string)
            last = string
        elif remaining > 0:
            last = NavigableString(str(string)[:remaining])
            string.replace_with(last)
            remaining = 0
        else:
            string.extract()
    if suffix and last is not None:
        last.replace_with(str(last).rstrip() + suffix)
    for element in soup.find_all(["strong", "em", "u"]):
        if not element.get_text().strip():
            element.decompose()
    block = soup.contents[0] if soup.contents else None
    while isinstance(block, Tag) and block.contents:
        tail = block.contents[-1]
        if (isinstance(tail, Tag) and tail.name == "br") or (isinstance(tail, NavigableString) and not tail.strip()):
            tail.extract()
        else:
            break
    return _serialise(soup)


def _cut_inside(fragment: str, room: int) -> tuple[str, int] | None:
    """The block cut to fit `room` (sentence, else word, else character boundary) and the characters of text
    left out; None when not even one character fits."""
    text = BeautifulSoup(fragment, "html.parser").get_text()
    low, high = 0, len(text)  # the most characters that fit, by bisection (the length grows with `keep`)
    while low < high:
        middle = (low + high + 1) // 2
        if tiktok_length(_truncated(fragment, middle)) <= room:
            low = middle
        else:
            high = middle - 1
    most = low
    for end in range(most, max(most - SENTENCE_SLACK, 0), -1):
        if (end == len(text) or text[end].isspace()) and _SENTENCE_END.search(text[max(end - 8, 0):end]):
            return _truncated(fragment, end), len(text) - end
    for end in range(most - 1, 0, -1):
        if text[end].isspace() and not text[end - 1].isspace():
            candidate = _truncated(fragment, end, "…")
            if tiktok_length(candidate) <= room:
                return candidate, len(text) - end
    if most < SENTENCE_SLACK:
        return None  # the first word does not fit: leave the block out rather than break a word
    for end in range(most - 1, 0, -1):  # text without spaces (codes, addresses): cut between characters
        candidate = _truncated(fragment, end, "…")
        if tiktok_length(candidate) <= room:
            return candidate, len(text) - end
    return None


def _cut_to_limit(rendered: Iterable[tuple[str, list[str]]]) -> tuple[str, _Cut]:
    """Keep whole blocks (and, for a bullet list, whole items) while they fit; the one that crosses the
    limit is cut inside (`_cut_inside`); count what is left out."""
    pieces: list[str] = []
    used = 0
    cut = _Cut()
    full = False
    left: list[str] = []  # whole pieces left out, counted at the end (one parse)
    for kind, parts in rendered:
        if full:
            cut.left_out += len(parts)
            left.extend(parts)
            continue
        if kind == "ul":
            whole = "<ul>" + "".join(parts) + "</ul>"
            if used + tiktok_length(whole) <= MAX_CHARS:
                pieces.append(whole)
                used += tiktok_length(whole)
                continue
            full = True
            kept: list[str] = []
            room = MAX_CHARS - used - tiktok_length("<ul></ul>")
            for index, item in enumerate(parts):
                if tiktok_length(item) <= room:
                    kept.append(item)
                    room -= tiktok_length(item)
                    continue
                inside = _cut_inside(item, room)
                if inside is not None:
                    kept.append(inside[0])
                    cut.partial, cut.chars = "list item", cut.chars + inside[1]
                else:
                    cut.left_out += 1
                    cut.chars += _text_length(item)
                rest = parts[index + 1:]
                cut.left_out += len(rest)
                left.extend(rest)
                break
            if kept:
                partial = "<ul>" + "".join(kept) + "</ul>"
                pieces.append(partial)
                used += tiktok_length(partial)
            continue
        piece = parts[0]
        if used + tiktok_length(piece) <= MAX_CHARS:
            pieces.append(piece)
            used += tiktok_length(piece)
            continue
        full = True
        inside = _cut_inside(piece, MAX_CHARS - used) if kind == "p" else None
        if inside is not None:
            pieces.append(inside[0])
            used += tiktok_length(inside[0])
            cut.partial, cut.chars = "paragraph", cut.chars + inside[1]
        else:
            cut.left_out += 1
            left.append(piece)
    if left:
        cut.chars += _text_length("".join(left))
    return "".join(pieces), cut
