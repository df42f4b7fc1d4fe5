"""Property-based fuzzing of the description converter and the title check (hypothesis).

Whatever the store sends as a description — markup soup, unclosed tags, deep nesting, entities, control
characters, astral-plane text — the converter must not raise, must produce only the tag set TikTok
accepts (never nested), must stay within TikTok's 10,000 characters, must report only web addresses as
pictures, must write characters rather than entities (only ``&amp;``, ``&lt;``, ``&gt;``), must not
contain emoji, control characters or runs of more than 9 of one character, and must keep every word of
a plain-text description that fits. The title cleaner must never raise and must give plain text (no
markup left to parse, spaces collapsed, cleaning twice changes nothing); the title check must flag exactly
the titles TikTok refuses for their length.

A few seconds in the test suite; for a longer run:
    HUB_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/sync/test_fuzz_description.py -q
"""

from __future__ import annotations

import html as html_lib
import os
import re

from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.sync.products.description import MAX_CHARS, convert_description, tiktok_length
from hub.sync.products.issues import Findings
from hub.sync.products.mapper import TITLE_MAX, check_title
from hub.sync.products.text_rules import REPEAT_LIMIT, Repairs, RunLimiter, has_emoji, plain_title

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ALLOWED = {"p", "img", "ul", "li", "br", "strong", "em", "u"}
INLINE = {"br", "strong", "em", "u"}
_TAGS = ["p", "div", "span", "b", "strong", "i", "em", "u", "br", "h1", "h3", "ul", "ol", "li", "table", "thead",
         "tbody", "tr", "th", "td", "a", "img", "script", "style", "iframe", "video", "section", "font", "pre",
         "blockquote", "dl", "dt", "dd", "svg", "math", "template", "noscript", "textarea", "select", "option"]
_ATTRS = ['href="https://x.example/a"', 'src="https://img.example/1.jpg"', 'src="/rel.png"', 'src="javascript:x"',
          'data-src="http://img.example/2.png"', 'colspan="3"', 'start="5"', 'style="color:red"', "onclick=alert(1)",
          'alt="a &amp; b"', 'src="data:image/png;base64,AAAA"']
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Tag soup: real tags with real attributes, nested, sometimes unclosed or closed in the wrong order."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9))
        if kind < 4 or depth > 6:
            parts.append(draw(st.one_of(_TEXT, st.sampled_from(["&amp;", "&lt;", "&#128512;", "&nbsp;", "&bogus;",
                                                                 "<!-- c -->", "<![CDATA[x]]>", "\x00", "\r\n",
                                                                 "\u200b", "\U0001f600", "<", ">", "&"]))))
            continue
        tag = draw(st.sampled_from(_TAGS))
        attrs = " ".join(draw(st.lists(st.sampled_from(_ATTRS), max_size=2)))
        inner = draw(_markup(depth + 1))
        closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", f"</{tag}>", "", "</p>", "</li>"]))
        parts.append(f"<{tag} {attrs}>{inner}{closing}")
    return "".join(parts)


def _check_output(result) -> None:  # noqa: ANN001
    assert tiktok_length(result.html) <= MAX_CHARS
    soup = BeautifulSoup(result.html, "html.parser")
    for element in soup.find_all(True):
        assert element.name in ALLOWED, element.name
        parent = element.parent
        if element.name in ("p", "ul", "img"):
            assert parent is soup, f"<{element.name}> nested in <{parent.name}>"
        elif element.name == "li":
            assert isinstance(parent, Tag) and parent.name == "ul"
        else:
            assert isinstance(parent, Tag) and parent.name in {"p", "li"} | INLINE
            assert not (element.name in ("strong", "em", "u") and element.find(element.name)), "nested formatting"
    for url in result.image_urls:
        assert re.match(r"https?://", url), url
    assert set(re.findall(r"&[#\w]+;", result.html)) <= {"&amp;", "&lt;", "&gt;"}, result.html
    text = soup.get_text()
    assert not has_emoji(text), text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text), text
    assert not re.search(r"(.)\1{%d,}" % REPEAT_LIMIT, text, re.DOTALL), text


@given(html=st.one_of(_markup(), st.text(max_size=300)))
@FUZZ
def test_any_description_converts_to_what_tiktok_accepts(html: str) -> None:
    _check_output(convert_description(html))
    _check_output(convert_description(html, base_url="https://store.example/p/1"))


@given(html=_markup())
@FUZZ
def test_pictures_not_rehosted_are_left_out_of_the_final_html(html: str) -> None:
    preview = convert_description(html, base_url="https://store.example/p/1")
    mapped = {url: (f"https://p16.tiktokcdn.example/{n}.jpg", 800, 600) for n, url in enumerate(preview.image_urls[::2])}
    final = convert_description(html, image_map=mapped, base_url="https://store.example/p/1")
    _check_output(final)
    shown = {img["src"] for img in BeautifulSoup(final.html, "html.parser").find_all("img")}
    assert shown <= {hosted for hosted, _w, _h in mapped.values()}


_WORDS = st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Z")),
                          min_size=1, max_size=12), min_size=1, max_size=60)


@given(words=_WORDS, separators=st.lists(st.sampled_from([" ", "\n", "\n\n", "  ", "\t"]), min_size=1))
@FUZZ
def test_a_plain_text_description_keeps_every_word(words: list[str], separators: list[str]) -> None:
    """The text path: a description with no markup at all (many stores send plain text)."""
    text = "".join(word + separators[n % len(separators)] for n, word in enumerate(words))
    escaped = html_lib.escape(text, quote=False)
    result = convert_description(escaped)
    _check_output(result)
    kept = html_lib.unescape(BeautifulSoup(result.html, "html.parser").get_text(" "))
    if tiktok_length(result.html) < MAX_CHARS - 200:  # nothing was cut for length
        for word in words:
            for piece in word.split():
                # as TikTok's text rules leave it: emoji and control characters removed, runs shortened
                expected = RunLimiter().feed(Repairs().text(piece)).strip()
                assert expected in kept, (piece, expected, kept)


_TITLE = st.one_of(st.text(max_size=400), _markup(), st.lists(st.one_of(_TEXT, st.sampled_from(
    ["&amp;", "&amp;amp;", "&lt;b&gt;", "&nbsp;", "<b>", "</b>", "<script>x</script>", "<br>", "\u00a0", "\t\n"])),
    max_size=12).map("".join))


@given(title=_TITLE)
@FUZZ
def test_the_title_cleaner_gives_plain_text_and_the_check_flags_every_title_too_long(title: str) -> None:
    plain = plain_title(title)
    assert plain == plain.strip() and "  " not in plain and not re.search(r"[\t\n\r\u00a0]", plain), repr(plain)
    assert plain_title(plain) == plain, "no markup or entity is left to decode"
    assert BeautifulSoup(plain, "html.parser").find(True) is None or "<" not in plain
    findings = Findings({"id": "1", "title": plain})
    check_title(plain, findings)
    codes = [issue.code for issue in findings.items]
    assert all(code.startswith("title_") for code in codes)
    if plain and len(plain) > TITLE_MAX:
        assert codes == ["title_too_long"]
    if not plain:
        assert codes == ["title_missing"]
