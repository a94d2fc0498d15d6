"""display_text: outside text shown so that nothing in it can hide, reorder its neighbours or flood a view."""

from __future__ import annotations

import base64
import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commandwall.textsafe import (
    BIDI_CONTROLS,
    BREAK_RUN,
    DEFAULT_MAX_LEN,
    ELLIPSIS,
    FSI,
    LINE_BREAK_MARK,
    PDI,
    ZWSP,
    breakable,
    display_text,
    is_hidden,
)
from tests.hostile import corpus

# ---- examples ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u202egnp.exe", "‹U+202E›gnp.exe"),  # reads "exe.png" when the override is obeyed
        ("\u2067临城街道\u2069\u202d反向", "‹U+2067›临城街道‹U+2069›‹U+202D›反向"),
        ("\u061cالعربية", "‹U+061C›العربية"),
        ("a\u200eb\u200fc", "a‹U+200E›b‹U+200F›c"),
        ("零\u200b宽\u200c字\u200d符\ufeff", "零‹U+200B›宽‹U+200C›字‹U+200D›符‹U+FEFF›"),
        ("NUL\x00inside", "NUL‹U+0000›inside"),
        ("bell\x07 escape\x1b[31mred", "bell‹U+0007› escape‹U+001B›[31mred"),
        ("soft\u00adhyphen", "soft‹U+00AD›hyphen"),
        ("名\u3164字", "名‹U+3164›字"),  # HANGUL FILLER: a letter that draws as nothing
        ("word\u2060joiner", "word‹U+2060›joiner"),
        ("\ud800lone", "‹U+D800›lone"),
        ("\x85next line", "‹U+0085›next line"),
        ("<b>粗体</b>", "<b>粗体</b>"),  # markup is text: the widget shows it as plain text
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("A &amp; B", "A &amp; B"),
        ("{{7*7}}", "{{7*7}}"),
        ("临城街道", "临城街道"),
        ("", ""),
        ("  ", "  "),
    ],
)
def test_hidden_and_direction_controls_are_shown_as_marks(raw, shown):
    assert display_text(raw) == shown


@pytest.mark.parametrize(
    "emoji",
    [
        "🚒消防救援🌊防汛",
        "👩\u200d🚒",  # woman firefighter: a ZWJ sequence
        "👨\u200d👩\u200d👧",
        "🏳\ufe0f\u200d🌈",
        "❤\ufe0f\u200d🔥",
        "👩🏽\u200d🚒",  # with a skin tone
        "1\ufe0f\u20e3",  # keycap
        "🇨🇳",
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland's flag
        "葛\U000e0100",  # an ideographic variation sequence
    ],
)
def test_emoji_sequences_keep_their_joiners_and_selectors(emoji):
    assert display_text(emoji) == emoji


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\u200db", "a‹U+200D›b"),  # a joiner between letters disguises nothing useful: marked
        ("🚒\u200d", "🚒‹U+200D›"),  # dangling
        ("\u200d🚒", "‹U+200D›🚒"),
        ("🚒\ufe0f\ufe0f\u200d🌊", "🚒\ufe0f‹U+FE0F›‹U+200D›🌊"),  # a run of selectors can smuggle data
        ("\ufe0f", "‹U+FE0F›"),
        ("\U000e0068\U000e0069", "‹U+E0068›‹U+E0069›"),  # tag letters outside a flag: invisible ASCII
    ],
)
def test_joiners_and_selectors_out_of_place_are_marked(raw, shown):
    assert display_text(raw) == shown


def test_line_breaks_and_tabs():
    text = "多行\n第二行\r\n第三行\r第四\u2028第五\t列"
    assert display_text(text, multiline=True) == "多行\n第二行\n第三行\n第四\n第五\t列"
    assert display_text(text) == "多行⏎第二行⏎第三行⏎第四⏎第五‹U+0009›列"
    assert LINE_BREAK_MARK == "⏎"


def test_long_text_is_cut_with_an_ellipsis():
    assert display_text("长" * 10_000) == "长" * (DEFAULT_MAX_LEN - 1) + ELLIPSIS
    assert display_text("长" * 10, max_len=5) == "长长长长…"
    assert display_text("长" * 5, max_len=5) == "长" * 5
    assert display_text("长" * 10_000, None) == "长" * 10_000
    marked = display_text("\x00" * 10_000)
    assert len(marked) <= DEFAULT_MAX_LEN and marked.endswith("‹U+0000›" + ELLIPSIS)


def test_a_cut_never_splits_an_emoji_or_a_combining_sequence():
    family = "👨\u200d👩\u200d👧"
    assert display_text("ab" + family, max_len=5) == "ab…"  # not "ab👨\u200d…"
    assert display_text("ab🇨🇳🇨🇳", max_len=5) == "ab🇨🇳…"
    assert display_text("abe\u0301\u0301xyz", max_len=5) == "ab…"  # é with a second accent stays whole


def test_isolate_wraps_right_to_left_text_only():
    assert display_text("שלום 12", isolate=True) == f"{FSI}שלום 12{PDI}"
    assert display_text("\u061cالعربية", isolate=True) == f"{FSI}‹U+061C›العربية{PDI}"
    assert display_text("临城街道 12", isolate=True) == "临城街道 12"  # cannot reorder a left-to-right line
    assert display_text("", isolate=True) == ""
    assert len(display_text("ש" * 1000, max_len=20, isolate=True)) == 20
    assert display_text("长" * 1000, isolate=True) == display_text("长" * 1000)  # same cut as without


@settings(max_examples=200)
@given(st.text(max_size=40).filter(lambda s: not any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in s)))
def test_isolate_changes_nothing_for_left_to_right_text(raw):
    assert display_text(raw, 20, isolate=True) == display_text(raw, 20)


def test_anything_may_be_passed():
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert display_text(None) == ""
    assert display_text(42) == "42"
    assert display_text(Broken()).startswith("<")
    assert display_text("x", max_len=0) == "x"  # at least one character of room


def test_the_hostile_corpus_is_shown_without_any_hidden_character():
    for raw in corpus():
        shown = display_text(raw)
        assert not [c for c in shown if is_hidden(c) and c not in "\u200d\ufe0f"], repr(raw)
        assert len(shown) <= DEFAULT_MAX_LEN


# ---- properties --------------------------------------------------------------------------------------

# Text rich in what matters here: every kind of control, joiners, selectors, tags, emoji, CJK, RTL, marks.
_SPECIAL = st.sampled_from(
    sorted(BIDI_CONTROLS)
    + list("\x00\x07\t\n\r\x1b\x7f\x85\u00ad\u034f\u115f\u180e\u200b\u200c\u200d\u2028\u2029\u2060\u3164\ufeff")
    + list("\ufe0f\ufe0e\U000e0100\U000e0020\U000e0067\U000e007f\U0001f3f4\U0001f3fb\U0001f1e8\U0001f1f3")
    + list("🚒🌊👩❤1\u20e3\u0301临城街道שלוםالعربية<>&{}%…⏎‹›")
)
TEXT = st.text(alphabet=st.one_of(_SPECIAL, st.characters()), max_size=60)


@settings(max_examples=300)
@given(TEXT, st.one_of(st.none(), st.integers(min_value=3, max_value=80)), st.booleans(), st.booleans())
def test_no_hidden_or_direction_character_survives(raw, max_len, multiline, isolate):
    shown = display_text(raw, max_len, multiline=multiline, isolate=isolate)
    body = shown
    if isolate and shown.startswith(FSI):
        assert shown.endswith(PDI)
        body = shown[1:-1]
    assert not BIDI_CONTROLS & set(body), "only the isolate added around the text may be a bidi control"
    for i, char in enumerate(body):
        if char in "\n\t":
            assert multiline
        elif char == "\u200d":  # a kept joiner sits between two pictographic symbols
            assert unicodedata.category(body[i + 1]) == "So"
        elif "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef":  # one, after a visible base
            assert i > 0 and not is_hidden(body[i - 1]) and not body[i - 1].isspace(), repr(shown)
        elif is_hidden(char) and not "\U000e0020" <= char <= "\U000e007f":
            pytest.fail(f"hidden {char!r} survived in {shown!r}")
    if any("\U000e0020" <= c <= "\U000e007f" for c in body):
        assert "\U0001f3f4" in body  # tag letters only in a flag


@settings(max_examples=300)
@given(TEXT, st.one_of(st.none(), st.integers(min_value=3, max_value=80)), st.booleans())
def test_showing_twice_changes_nothing(raw, max_len, multiline):
    once = display_text(raw, max_len, multiline=multiline)
    assert display_text(once, max_len, multiline=multiline) == once


@settings(max_examples=300)
@given(TEXT, st.integers(min_value=1, max_value=80), st.booleans(), st.booleans())
def test_length_is_bounded_and_the_start_is_kept(raw, max_len, multiline, isolate):
    shown = display_text(raw, max_len, multiline=multiline, isolate=isolate)
    assert len(shown) <= max(max_len, 3 if isolate else 1)
    full = display_text(raw, None, multiline=multiline)
    body = shown.removeprefix(FSI).removesuffix(PDI)
    if body != full:
        assert body.endswith(ELLIPSIS) and full.startswith(body[: -len(ELLIPSIS)])


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=80))
def test_ordinary_text_is_shown_unchanged(raw):
    if not any(is_hidden(c) for c in raw):
        assert display_text(raw, None) == raw


def test_the_fast_path_sends_every_printable_hidden_character_the_long_way():
    """``str.isprintable`` lets some invisible characters through; each of them must still be marked."""
    from commandwall.textsafe import _PRINTABLE_IGNORABLE_RE, visible_mark

    missed = [
        f"U+{code:04X}" for code in range(sys.maxunicode + 1)
        if chr(code).isprintable() and is_hidden(chr(code)) and not _PRINTABLE_IGNORABLE_RE.match(chr(code))
    ]
    assert missed == []
    assert display_text("a\u034fb") == f"a{visible_mark(chr(0x34F))}b"


# --- breakable: places to break a long unbroken run in a wrapped label ------------------------------------------


def _runs(text: str) -> list[str]:
    return [run for run in re.split(rf"[\s{ZWSP}]+", text) if run]


@pytest.mark.parametrize("text", ["W" * 200, base64.b64encode(bytes(range(150))).decode(), "x" * 21])
def test_breakable_gives_a_long_run_a_place_to_break_every_run_characters(text: str):
    broken = breakable(text)
    assert broken.replace(ZWSP, "") == text
    assert max(map(len, _runs(broken))) <= BREAK_RUN


def test_breakable_leaves_short_words_and_cjk_text_as_they_are():
    for text in ("", "x" * 20, "无法连接平台：服务暂时不可用，请稍后再试。" * 5, "a few short words " * 20):
        assert breakable(text) == text


def test_breakable_never_splits_what_is_drawn_as_one_character():
    cases = ["e\u0301" * 30, "👩\u200d🚒" * 15, "🇨🇳" * 30, "a" * 19 + "👩🏽\u200d🚒" + "b" * 30]
    for text in cases:
        broken = breakable(text, run=5)
        assert broken.replace(ZWSP, "") == text
        for i, char in enumerate(broken):
            if char == ZWSP:
                after = broken[i + 1]
                assert not unicodedata.category(after).startswith("M") and after not in "\u200d\ufe0f", (text, i)
                assert broken[i - 1] != "\u200d" and not ("\U0001f3fb" <= after <= "\U0001f3ff")
                if "\U0001f1e6" <= after <= "\U0001f1ff":  # a flag is a pair: a break only before an even count
                    assert len(re.match("[\U0001f1e6-\U0001f1ff]*", broken[i + 1:]).group(0)) % 2 == 0

