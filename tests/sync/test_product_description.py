"""Store description HTML → TikTok description HTML: what a shopper sees must survive, nothing else."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from hub.sync.products.description import MAX_CHARS, MAX_IMAGES, convert_description, tiktok_length
from hub.sync.products.errors import DescriptionError
from tests.support.catalogue import LONG_SENTENCE, long_description

ALLOWED = {"p", "ul", "li", "br", "img", "strong", "em", "u"}


def assert_tiktok_safe(html: str) -> None:
    """Only the historic TikTok tag set, no nesting of blocks or formatting, only src/width/height."""
    soup = BeautifulSoup(html, "html.parser")
    for top in soup.contents:
        assert getattr(top, "name", None) in {"p", "ul", "img"}, f"unexpected top-level {top!r}"
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED, tag.name
        if tag.name == "img":
            assert set(tag.attrs) <= {"src", "width", "height"}
        else:
            assert not tag.attrs, tag
        if tag.name in ("p", "li"):
            assert not tag.find(["p", "ul", "li", "img"])
        if tag.name in ("strong", "em", "u"):
            assert not tag.find(["strong", "em", "u", "p", "ul", "li", "img"])
        if tag.name == "li":
            assert tag.parent.name == "ul"


def paragraphs(html: str) -> list[str]:
    return [p.get_text() for p in BeautifulSoup(html, "html.parser").find_all("p")]


def items(html: str) -> list[str]:
    return [li.get_text() for li in BeautifulSoup(html, "html.parser").find_all("li")]


# ------------------------------------------------------------------------------------- basic text


def test_paragraphs_line_breaks_lists_and_emphasis_are_kept():
    result = convert_description(
        "<p>Soft <b>cotton</b> socks, <i>breathable</i> and <u>warm</u>.<br>Machine washable.</p>"
        "<ul><li>Size M</li><li>Size L</li></ul>"
    )
    assert result.html == (
        "<p>Soft <strong>cotton</strong> socks, <em>breathable</em> and <u>warm</u>.<br>Machine washable.</p>"
        "<ul><li>Size M</li><li>Size L</li></ul>"
    )
    assert result.warnings == []
    assert_tiktok_safe(result.html)


def test_nested_emphasis_is_not_nested_but_text_stays():
    result = convert_description("<p><strong>Bold <em>and italic</em> text</strong></p>")
    assert result.html == "<p><strong>Bold and italic text</strong></p>"


def test_headings_become_bold_paragraphs():
    result = convert_description("<h2>Features</h2><p>Light</p>")
    assert result.html == "<p><strong>Features</strong></p><p>Light</p>"


def test_special_characters_are_kept_as_characters_and_only_html_needs_escaping():
    result = convert_description("<p>Cosy &amp; warm &lt;3 &pound;9.99&nbsp;each &mdash; &ldquo;nice&rdquo; "
                                 "Brand&trade; &copy; caf&eacute;</p>")
    assert paragraphs(result.html) == ["Cosy & warm <3 £9.99 each — “nice” Brand™ © café"]
    assert "&lt;3" in result.html and "&amp; warm" in result.html
    assert set(re.findall(r"&[#\w]+;", result.html)) == {"&amp;", "&lt;"}, result.html
    assert result.warnings == []
    assert_tiktok_safe(result.html)


def test_non_breaking_and_other_special_spaces_become_plain_spaces():
    result = convert_description("<p>A\u00a0\u00a0B\u2009C\u3000D</p><pre>x\u00a0\u00a0y</pre>")
    assert paragraphs(result.html) == ["A B C D", "x y"]
    assert "&nbsp;" not in result.html and "\u00a0" not in result.html


def test_emoji_are_removed_with_a_warning_and_text_symbols_stay():
    result = convert_description("<p>Cosy 🧦✨ socks ❤️ for 👨‍👩‍👧 🇬🇧 families ✔ ™</p><ul><li>Warm 🔥</li></ul>")
    assert paragraphs(result.html) == ["Cosy socks for families ✔ ™"]
    assert items(result.html) == ["Warm"]
    assert any("6 emoji" in w and "removed" in w for w in result.warnings), result.warnings


def test_control_characters_are_removed_with_a_warning():
    result = convert_description("<p>Soft\x07cotton\x1b and\x7f wool\u0085</p>")
    assert paragraphs(result.html) == ["Softcotton and wool"]
    assert any("control characters" in w for w in result.warnings), result.warnings


def test_more_than_nine_repeats_of_a_character_are_shortened_to_nine():
    result = convert_description("<p>Size guide ============== below!!!!!!!!!!!!</p>"
                                 "<p><strong>-----</strong>------ end 111111111</p>")
    assert paragraphs(result.html) == ["Size guide ========= below!!!!!!!!!", "--------- end 111111111"]
    assert any("repeated" in w and "9" in w for w in result.warnings), result.warnings


def test_plain_text_without_markup_becomes_a_paragraph():
    assert convert_description("Just text\n  with   spaces").html == "<p>Just text with spaces</p>"


def test_empty_spacer_paragraphs_are_dropped():
    assert convert_description("<p>&nbsp;</p><p>One</p><p> </p><div><br></div>").html == "<p>One</p>"


def test_empty_and_missing_descriptions_give_empty_html():
    assert convert_description("").html == ""
    assert convert_description(None).html == ""  # type: ignore[arg-type]


def test_non_text_input_is_a_coded_error():
    with pytest.raises(DescriptionError) as caught:
        convert_description(b"<p>bytes</p>")  # type: ignore[arg-type]
    assert caught.value.code == "description_not_text"


# ----------------------------------------------------------------------------------------- tables


def test_table_with_header_row_becomes_header_value_lines():
    result = convert_description(
        "<table><thead><tr><th>Size</th><th>Chest</th><th>Length</th></tr></thead>"
        "<tbody><tr><td>M</td><td>96 cm</td><td>70 cm</td></tr>"
        "<tr><td>L</td><td>100 cm</td><td></td></tr></tbody></table>"
    )
    assert paragraphs(result.html) == ["Size: M; Chest: 96 cm; Length: 70 cm", "Size: L; Chest: 100 cm"]
    assert "<table" not in result.html
    assert_tiktok_safe(result.html)


def test_first_row_of_th_cells_is_the_header_without_thead():
    result = convert_description(
        "<table><tr><th>Colour</th><th>Stock</th></tr><tr><td>Red</td><td>5</td></tr></table>"
    )
    assert paragraphs(result.html) == ["Colour: Red; Stock: 5"]


def test_first_column_th_cells_label_their_row():
    result = convert_description(
        "<table><tr><th>Material</th><td>Cotton</td></tr><tr><th>Care</th><td>Wash at 30°</td><td>No tumble dry</td></tr></table>"
    )
    assert paragraphs(result.html) == ["Material: Cotton", "Care: Wash at 30° | No tumble dry"]


def test_two_column_table_without_headers_reads_as_label_value():
    result = convert_description(
        "<table><tr><td>Material</td><td>Cotton</td></tr><tr><td>Weight</td><td>200 g</td></tr></table>"
    )
    assert paragraphs(result.html) == ["Material: Cotton", "Weight: 200 g"]


def test_wider_table_without_headers_reads_as_pipe_separated_lines():
    result = convert_description("<table><tr><td>S</td><td>M</td><td>L</td></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>")
    assert paragraphs(result.html) == ["S | M | L", "1 | 2 | 3"]


def test_header_spanning_columns_labels_each_of_them():
    result = convert_description(
        "<table><tr><th>Size</th><th colspan='2'>Chest</th></tr><tr><td>M</td><td>96</td><td>38 in</td></tr></table>"
    )
    assert paragraphs(result.html) == ["Size: M; Chest: 96; Chest: 38 in"]


def test_table_caption_and_formatting_inside_cells_are_kept():
    result = convert_description(
        "<table><caption>Size guide</caption><tr><th>Size</th><th>Fit</th></tr>"
        "<tr><td>M</td><td><b>Regular</b></td></tr></table>"
    )
    assert result.html == "<p><strong>Size guide</strong></p><p>Size: M; Fit: <strong>Regular</strong></p>"


def test_nested_table_text_is_not_lost():
    result = convert_description(
        "<table><tr><td>Pack</td><td><table><tr><td>Socks</td><td>5</td></tr></table></td></tr></table>"
    )
    text = " ".join(paragraphs(result.html))
    assert "Pack" in text and "Socks: 5" in text
    assert_tiktok_safe(result.html)


# ------------------------------------------------------------------------------------------ lists


def test_ordered_list_becomes_numbered_paragraphs():
    result = convert_description("<ol><li>Wash</li><li>Dry</li><li>Wear</li></ol>")
    assert result.html == "<p>1. Wash</p><p>2. Dry</p><p>3. Wear</p>"


def test_ordered_list_start_is_respected():
    assert paragraphs(convert_description("<ol start='4'><li>Four</li><li>Five</li></ol>").html) == [
        "4. Four",
        "5. Five",
    ]


def test_nested_ordered_lists_get_outline_numbers():
    result = convert_description("<ol><li>Prepare<ol><li>Open</li><li>Unfold</li></ol></li><li>Use</li></ol>")
    assert paragraphs(result.html) == ["1. Prepare", "1.1. Open", "1.2. Unfold", "2. Use"]


def test_bullets_inside_a_numbered_list_stay_bullets_under_their_step():
    result = convert_description("<ol><li>Wash<ul><li>cold</li><li>gentle</li></ul></li><li>Dry</li></ol>")
    assert result.html == "<p>1. Wash</p><ul><li>cold</li><li>gentle</li></ul><p>2. Dry</p>"
    assert_tiktok_safe(result.html)


def test_nested_bullet_lists_are_flattened_with_depth_markers():
    result = convert_description(
        "<ul><li>Tops<ul><li>Shirts<ul><li>Linen</li></ul></li></ul></li><li>Bottoms</li></ul>"
    )
    assert items(result.html) == ["Tops", "– Shirts", "– – Linen", "Bottoms"]
    assert result.html.count("<ul>") == 1
    assert_tiktok_safe(result.html)


def test_numbered_list_inside_bullets_stays_in_the_bullet_list():
    result = convert_description("<ul><li>Steps<ol><li>Open</li><li>Close</li></ol></li><li>Done</li></ul>")
    assert items(result.html) == ["Steps", "1. Open", "2. Close", "Done"]


def test_list_item_text_after_a_sub_list_is_kept():
    result = convert_description("<ul><li>Before<ul><li>inner</li></ul>after</li></ul>")
    assert items(result.html) == ["Before after", "– inner"]


def test_paragraphs_inside_list_items_become_line_breaks():
    result = convert_description("<ul><li><p>First line</p><p>Second line</p></li></ul>")
    assert result.html == "<ul><li>First line<br>Second line</li></ul>"


# ----------------------------------------------------------------------------------- unsafe markup


def test_scripts_styles_frames_and_handlers_are_removed_text_kept():
    result = convert_description(
        "<style>p{color:red}</style><script>steal()</script>"
        "<p onclick=\"steal()\" style=\"color:red\" class=\"x\">Visible <span onmouseover=\"x()\">text</span></p>"
        "<iframe src=\"https://video.example/embed\">Your browser</iframe>"
        "<noscript>Enable JS</noscript><object data=\"x.swf\">fallback</object>"
    )
    assert result.html == "<p>Visible text</p>"
    assert any("videos, frames" in w for w in result.warnings)
    for word in ("steal", "color", "onclick", "Enable JS", "Your browser", "fallback"):
        assert word not in result.html


def test_forms_are_removed_but_their_text_stays():
    result = convert_description(
        "<form action=\"/cart\"><label>Quantity</label><input name=\"q\" value=\"1\">"
        "<select><option>Red</option></select><button>Add to cart</button></form>"
    )
    assert paragraphs(result.html) == ["Quantity Add to cart"]
    assert "<form" not in result.html and "Red" not in result.html


def test_unknown_tags_are_unwrapped():
    result = convert_description(
        "<p><font color=red>Big</font> <x-widget data-id=3>sale</x-widget> <span>now</span></p>"
    )
    assert result.html == "<p>Big sale now</p>"


def test_links_keep_their_text_with_a_warning():
    result = convert_description('<p>See <a href="https://other.example/guide">our guide</a>.</p>')
    assert result.html == "<p>See our guide.</p>"
    assert any("Links were removed" in w for w in result.warnings)


def test_javascript_and_data_images_are_dropped():
    result = convert_description('<img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA"><p>x</p>')
    assert result.html == "<p>x</p>"
    assert result.image_urls == []
    assert any("2 description pictures were left out" in w for w in result.warnings)


@pytest.mark.parametrize(
    "broken",
    [
        "<p>Unclosed <b>bold<p>Next paragraph",
        "<div><p>Stray close</div></p></span>Tail",
        "<ul><li>One<li>Two</ul><p>After",
        "<p class=noquote>Unquoted <i>attr</p>",
        "<table><tr><td>Cell<td>Other</table>",
        "<<p>>Angle<</p>",
    ],
)
def test_malformed_html_is_repaired_without_losing_text(broken):
    result = convert_description(broken)
    assert_tiktok_safe(result.html)
    source_words = BeautifulSoup(broken, "lxml").get_text(" ").split()
    output_text = BeautifulSoup(result.html, "html.parser").get_text(" ")
    for word in source_words:
        assert word.strip("<>") in output_text


# ----------------------------------------------------------------------------------------- images


def test_image_urls_are_reported_for_rehosting_and_rewritten_with_the_map():
    html = '<p>Front</p><img src="https://store.example/a.jpg" alt="a" onerror="x()"><p>Back</p><img src="//cdn.example/b.png">'
    first = convert_description(html)
    assert first.image_urls == ["https://store.example/a.jpg", "https://cdn.example/b.png"]
    second = convert_description(
        html,
        image_map={
            "https://store.example/a.jpg": ("https://p16.ibyteimg.com/a~tplv.jpeg", 800, 600),
            "https://cdn.example/b.png": ("https://p16.ibyteimg.com/b~tplv.jpeg", 1000, 1000),
        },
    )
    assert second.html == (
        '<p>Front</p><img src="https://p16.ibyteimg.com/a~tplv.jpeg" width="800" height="600">'
        '<p>Back</p><img src="https://p16.ibyteimg.com/b~tplv.jpeg" width="1000" height="1000">'
    )
    assert second.warnings == []
    assert_tiktok_safe(second.html)


def test_images_not_rehosted_are_left_out_with_a_warning():
    result = convert_description(
        '<img src="https://s.example/a.jpg"><img src="https://s.example/b.jpg">',
        image_map={"https://s.example/a.jpg": ("https://p16.ibyteimg.com/a.jpeg", 500, 500)},
    )
    assert result.html == '<img src="https://p16.ibyteimg.com/a.jpeg" width="500" height="500">'
    assert any("1 description picture could not be copied" in w for w in result.warnings)


def test_relative_images_are_resolved_against_the_product_page():
    result = convert_description('<img src="/img/x.jpg">', base_url="https://store.example/p/88")
    assert result.image_urls == ["https://store.example/img/x.jpg"]
    unresolved = convert_description('<img src="/img/x.jpg">')
    assert unresolved.image_urls == [] and unresolved.warnings


def test_lazy_loaded_images_are_found():
    result = convert_description('<img data-src="https://s.example/lazy.jpg" src="">')
    assert result.image_urls == ["https://s.example/lazy.jpg"]


def test_images_inside_paragraphs_lists_and_tables_move_out_in_order():
    result = convert_description(
        '<p>Look <img src="https://s.example/1.jpg"> here</p>'
        '<ul><li>Red<img src="https://s.example/2.jpg">dot</li></ul>'
        '<table><tr><td>Pic</td><td><img src="https://s.example/3.jpg"></td></tr></table>'
    )
    assert result.image_urls == ["https://s.example/1.jpg", "https://s.example/2.jpg", "https://s.example/3.jpg"]
    assert_tiktok_safe(result.html)
    assert items(result.html) == ["Red dot"]
    assert result.html.index("2.jpg") > result.html.index("</ul>")


def test_more_than_30_images_keeps_the_first_30_with_a_warning():
    html = "".join(f'<p>Photo {n}</p><img src="https://s.example/{n}.jpg">' for n in range(35))
    result = convert_description(html)
    assert result.image_urls == [f"https://s.example/{n}.jpg" for n in range(MAX_IMAGES)]
    assert result.html.count("<img") == MAX_IMAGES
    assert "Photo 34" in result.html  # text after the 30th picture is still there
    assert any("35 pictures" in w and "5 pictures were left out" in w for w in result.warnings)


# ----------------------------------------------------------------------------------------- length


def test_long_description_keeps_whole_paragraphs_and_cuts_the_one_crossing_the_limit():
    originals = [f"Paragraph {n:04d} tells of wool. It is soft, warm and light." for n in range(300)]
    result = convert_description("".join(f"<p>{text}</p>" for text in originals))
    assert tiktok_length(result.html) <= MAX_CHARS
    assert tiktok_length(result.html) > MAX_CHARS - 100
    assert result.html.endswith("</p>")
    kept = paragraphs(result.html)
    assert kept[:-1] == originals[:len(kept) - 1]
    assert originals[len(kept) - 1].startswith(kept[-1]) and kept[-1].endswith(("wool.", "light.")), kept[-1]
    assert any("cut" in w and f"{300 - len(kept)} paragraphs" in w for w in result.warnings), result.warnings


def test_long_bullet_list_is_cut_between_items():
    html = "<p>Intro</p><ul>" + "".join(f"<li>Item {n:04d} {'y' * 60}</li>" for n in range(400)) + "</ul><p>End</p>"
    result = convert_description(html)
    assert tiktok_length(result.html) <= MAX_CHARS
    assert result.html.startswith("<p>Intro</p><ul><li>Item 0000")
    assert result.html.endswith("</li></ul>")
    assert "End" not in result.html
    assert_tiktok_safe(result.html)
    assert result.warnings


def test_astral_characters_count_double_toward_the_limit():
    html = "".join("<p>" + "𝐀𝐁𝐂" * 33 + "</p>" for _ in range(60))  # mathematical bold letters: not emoji
    result = convert_description(html)
    assert tiktok_length(result.html) <= MAX_CHARS
    assert len(result.html) < MAX_CHARS // 2 + 500
    assert result.warnings


def test_a_single_paragraph_over_the_limit_is_cut_after_its_last_whole_sentence():
    result = convert_description(long_description())
    assert_tiktok_safe(result.html)
    assert MAX_CHARS - len(LONG_SENTENCE) - 20 < tiktok_length(result.html) <= MAX_CHARS
    [text] = paragraphs(result.html)
    assert text.startswith(LONG_SENTENCE.strip()) and text.endswith("big enough for a phone.")
    assert len(result.warnings) == 1, result.warnings
    dropped = len(BeautifulSoup(long_description(), "html.parser").get_text()) - len(text)
    assert "cut" in result.warnings[0] and f"{dropped:,} characters" in result.warnings[0], result.warnings


def test_a_paragraph_without_sentences_is_cut_at_a_word_boundary():
    words = " ".join(f"word{n:05d}" for n in range(2000))
    result = convert_description(f"<p>Intro.</p><p>{words}</p><p>After</p>")
    kept = paragraphs(result.html)
    assert kept[0] == "Intro." and "After" not in result.html
    assert kept[1].endswith("…")
    assert kept[1].rstrip("…").split() == [f"word{n:05d}" for n in range(len(kept[1].split()))]
    assert tiktok_length(result.html) > MAX_CHARS - 20
    assert any("1 paragraph" in w for w in result.warnings), result.warnings


def test_a_long_list_item_and_formatting_are_cut_without_breaking_the_html():
    sentence = "Made from recycled wool, knitted in Hawick. "
    result = convert_description("<ul><li>Short</li><li><strong>" + sentence * 300 + "</strong></li></ul>")
    assert_tiktok_safe(result.html)
    assert tiktok_length(result.html) <= MAX_CHARS and tiktok_length(result.html) > MAX_CHARS - len(sentence) - 30
    assert items(result.html)[1].endswith("Hawick.")


def test_a_paragraph_without_spaces_is_cut_between_characters_never_inside_an_escape():
    token = "".join(f"{n:04x}&amp;" for n in range(2000))
    result = convert_description(f"<p>{token}</p>")
    assert tiktok_length(result.html) <= MAX_CHARS
    assert paragraphs(result.html)[0] and BeautifulSoup(result.html, "html.parser").p is not None
    assert not re.search(r"&(?!amp;|lt;|gt;)", result.html), result.html[-40:]


def test_description_exactly_at_the_limit_is_not_cut():
    body = ("abcdefghij" * MAX_CHARS)[:MAX_CHARS - len("<p></p>")]
    result = convert_description(f"<p>{body}</p>")
    assert tiktok_length(result.html) == MAX_CHARS
    assert result.warnings == []
