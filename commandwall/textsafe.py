"""Text from outside, made fit to show: a name can neither hide characters, reorder its neighbours nor flood a view.

Every string that comes from the platform or a layer file (incident titles, camera, unit, department and user
names, task instructions, server error messages …) goes through :func:`display_text` before a widget shows it.
Following Unicode TR36 ("Unicode Security Considerations"):

* **Bidirectional controls** (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) are shown as a visible
  mark such as ``‹U+202E›``, so ``"\\u202egnp.exe"`` reads ``‹U+202E›gnp.exe`` and never "exe.png".
* **Invisible characters** — control characters (Cc), format characters (Cf: zero-width space/joiner,
  word joiner, BOM, soft hyphen, tags …), lone surrogates, line/paragraph separators and every other
  Default_Ignorable_Code_Point (Hangul fillers, variation selectors out of place …) — get the same mark.
* Kept as they are, because emoji need them and they cannot disguise anything: one variation selector right
  after a visible character (``❤️``, ``1️⃣``, a CJK ideographic variant), a zero-width joiner between two
  pictographic symbols (``👩‍🚒``, ``❤️‍🔥``), and the tag sequence of a subdivision flag (🏴 + 2–7 tags +
  CANCEL TAG). A joiner anywhere else (``a\\u200db``) or a run of selectors is marked.
* **Line breaks** stay in multi-line text (``multiline=True``; CR LF and CR become LF, LINE/PARAGRAPH
  SEPARATOR too) and read ``⏎`` in single-line text; a tab stays only in multi-line text.
* **Length** is bounded: longer text is cut at a character boundary that does not split a combining
  sequence or an emoji sequence, and ends with ``…``.
* ``isolate=True`` wraps right-to-left text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, for a piece of
  outside text set into a line of our own (``f"{unit} · {department} · 3.2 km"``): Arabic or Hebrew then
  cannot pull the separators and numbers around it. Text without right-to-left characters (bidi classes R,
  AL, AN) cannot reorder a left-to-right line and is left unwrapped. FSI and PDI are the only bidi controls
  a result can hold, and only this way.

The result is plain text: a widget must still show it as plain text (a Qt label otherwise guesses rich text).
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that change the direction of the text around them (Unicode Bidi_Control).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: added around isolated text, never taken from input.
FSI, PDI = "\u2068", "\u2069"
ZWJ = "\u200d"
ELLIPSIS = "…"
#: What a line break reads in single-line text.
LINE_BREAK_MARK = "⏎"
#: Longest text shown by default (a table cell or a label; long descriptions pass their own bound).
DEFAULT_MAX_LEN = 500

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters a renderer draws as nothing.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
_IGNORABLE_RE = re.compile("[" + "".join(f"\\U{lo:08X}-\\U{hi:08X}" for lo, hi in _DEFAULT_IGNORABLE) + "]")
# Default-ignorable characters that str.isprintable() accepts (marks and fillers, variation selectors):
# the fast path of display_text must still send them the long way.
_PRINTABLE_IGNORABLE_RE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029]")
# A subdivision flag: WAVING BLACK FLAG, its region's tag letters, CANCEL TAG (🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland).
_TAG_FLAG_RE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]{2,7}\U000e007f")
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})  # bidi classes that can reorder a left-to-right line
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def visible_mark(char: str) -> str:
    """How an invisible or direction-changing character is shown: ``‹U+202E›``."""
    return f"‹U+{ord(char):04X}›"


def is_hidden(char: str) -> bool:
    """True for a character that is not drawn or that changes the layout around it (see the module doc)."""
    return unicodedata.category(char) in _HIDDEN_CATEGORIES or _IGNORABLE_RE.match(char) is not None


def _is_variation_selector(char: str) -> bool:
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


def _is_pictographic(char: str) -> bool:
    # Emoji are "Symbol, other"; a joiner between two other symbols is as harmless as one between emoji.
    return unicodedata.category(char) == "So"


def _as_text(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    try:
        return str(text)
    except Exception:  # any object may be shown: a broken __str__ must not break the view
        return object.__repr__(text)


def _kept(chars: str, multiline: bool) -> list[bool]:
    """For each character: True if it is shown as itself, False if it gets a visible mark."""
    flags_allowed = set()
    if "\U000e007f" in chars:
        for match in _TAG_FLAG_RE.finditer(chars):
            flags_allowed.update(range(match.start() + 1, match.end()))
    kept: list[bool] = []
    for i, char in enumerate(chars):
        if char == "\n" or (char == "\t" and multiline):
            kept.append(multiline)
        elif not is_hidden(char) or i in flags_allowed:
            kept.append(True)
        elif _is_variation_selector(char):
            # one selector right after a visible character (its base); never a run of them
            kept.append(i > 0 and kept[i - 1] and not is_hidden(chars[i - 1]) and not chars[i - 1].isspace())
        elif char == ZWJ:
            j = i - 1
            while j >= 0 and kept[j] and (chars[j] == "\ufe0f" or ord(chars[j]) in _EMOJI_MODIFIERS):
                j -= 1
            kept.append(
                j >= 0 and kept[j] and _is_pictographic(chars[j])
                and i + 1 < len(chars) and _is_pictographic(chars[i + 1])
            )  # fmt: skip
        else:
            kept.append(False)
    return kept


def _joins_previous(chars: str, kept: list[bool], i: int) -> bool:
    """True if a cut just before ``chars[i]`` would split what is drawn as one character."""
    char = chars[i]
    if kept[i] and (
        unicodedata.category(char).startswith("M")  # a combining mark, a kept variation selector
        or char == ZWJ
        or "\U000e0020" <= char <= "\U000e007f"  # a kept flag tag
        or ord(char) in _EMOJI_MODIFIERS
    ):
        return True
    if kept[i - 1] and chars[i - 1] == ZWJ:
        return True  # the symbol after a kept joiner
    if ord(char) in _REGIONAL_INDICATORS:  # a flag is a pair: cut only before an even count of them
        run = 0
        while run < i and ord(chars[i - 1 - run]) in _REGIONAL_INDICATORS:
            run += 1
        return run % 2 == 1
    return False


def display_text(
    text: object, max_len: int | None = DEFAULT_MAX_LEN, *, multiline: bool = False, isolate: bool = False
) -> str:
    """``text`` as it may be shown: hidden and direction-changing characters marked, length bounded.

    ``max_len`` bounds the length of the result (isolating characters and the ``…`` included; at least 1
    character of room is always kept); ``None`` shows everything. ``multiline`` keeps line breaks and tabs.
    ``isolate`` wraps a result holding right-to-left characters in FSI … PDI. Never raises: ``None`` shows
    as "", other objects as their ``str()``.
    """
    if (
        not isolate
        and isinstance(text, str)
        and (max_len is None or len(text) <= max_len)
        and text.isprintable()  # no Cc, Cf, Cs, Zl, Zp (nor Co, Cn, Zs but the space): nothing to mark
        and _PRINTABLE_IGNORABLE_RE.search(text) is None
    ):
        return text  # the common case, at C speed: a map page of 100 000 camera names passes here
    chars = _LINE_SEPARATORS.sub("\n", _as_text(text))
    body = _shown(chars, max_len, multiline)
    if isolate and any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in body):
        # room for the two isolating characters; left-to-right text is shown exactly as without isolate
        return f"{FSI}{_shown(chars, None if max_len is None else max_len - 2, multiline)}{PDI}"
    return body


def _shown(chars: str, max_len: int | None, multiline: bool) -> str:
    """The characters marked and cut to ``max_len`` (at least 1)."""
    budget = None if max_len is None else max(1, max_len)
    if chars.isprintable() and _IGNORABLE_RE.search(chars) is None and (budget is None or len(chars) <= budget):
        return chars  # the usual case: nothing to mark, nothing to cut
    kept = _kept(chars, multiline)
    pieces = [
        char if keep else (LINE_BREAK_MARK if char == "\n" else visible_mark(char))
        for char, keep in zip(chars, kept, strict=True)
    ]
    if budget is not None and sum(map(len, pieces)) > budget:
        room, cut = budget - len(ELLIPSIS), 0
        while cut < len(pieces) and room >= len(pieces[cut]):
            room -= len(pieces[cut])
            cut += 1
        while 0 < cut < len(pieces) and _joins_previous(chars, kept, cut):
            cut -= 1
        pieces = [*pieces[:cut], ELLIPSIS]
    return "".join(pieces)


#: ZERO WIDTH SPACE: a place where a wrapped line may break, drawn as nothing.
ZWSP = "\u200b"
#: Longest run of characters :func:`breakable` leaves without a place to break the line.
BREAK_RUN = 20


def breakable(text: str, run: int = BREAK_RUN) -> str:
    """``text`` (already made fit to show: :func:`display_text`) with a ZERO WIDTH SPACE after every ``run``
    characters of a longer run that has no other place to break a line.

    A word-wrapped Qt label breaks lines only between words, so it is never narrower than its longest word:
    an error message of 200 "W" or a base64 blob from the platform made the outage banner 2373 px wide, and
    with it the main window wider than its screen. With these breaks a word of any length wraps. Whitespace
    and wide (CJK) characters, where lines break anyway, start a new run; a break never splits what is drawn
    as one character (a combining sequence, an emoji sequence, a flag). Call it after ``display_text``, which
    would mark the added characters.
    """
    if len(text) <= run or re.search(rf"[^\s{ZWSP}]{{{run + 1},}}", text) is None:
        return text  # no long run: the common case
    kept = _kept(text, True)
    pieces: list[str] = []
    length = 0  # characters since the last place to break
    for i, char in enumerate(text):
        if char.isspace() or char == ZWSP or unicodedata.east_asian_width(char) in "WF":
            length = 0
        elif length >= run and not _joins_previous(text, kept, i):
            pieces.append(ZWSP)
            length = 1
        else:
            length += 1
        pieces.append(char)
    return "".join(pieces)


#: Characters that cannot be in a file name on Windows or Linux, and control characters.
_UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
#: Names Windows keeps for devices (``CON``, ``NUL.txt`` …), whatever the extension.
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))})
#: Longest file name part (characters) and its most UTF-8 bytes (file systems allow 255 bytes in a name;
#: 60 CJK characters are 180, 60 emoji 240).
FILE_NAME_MAX_CHARS = 60
FILE_NAME_MAX_BYTES = 180
#: An extension kept apart when a name is shortened: a dot and up to this many letters or digits.
_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,10}$")


def _file_name_part(text: str, max_chars: int, max_bytes: int) -> str:
    visible = "".join(c for c in text if not is_hidden(c))  # no bidi override turning "gnp.exe" round
    cleaned = _UNSAFE_IN_FILE_NAME.sub("_", visible).strip(" ._")
    cleaned = cleaned[:max_chars]
    while len(cleaned.encode("utf-8")) > max_bytes:
        cleaned = cleaned[:-1]
    return cleaned.rstrip(" .")


def safe_file_name(text: object, fallback: str, *, max_chars: int = FILE_NAME_MAX_CHARS,
                   max_bytes: int = FILE_NAME_MAX_BYTES) -> str:
    """``text`` (a name from outside: a camera name, an attachment's file name) made usable as one file name on
    Windows and Linux, never a path: hidden and bidi characters dropped, path separators and the characters
    file systems refuse replaced by ``_``, no leading or trailing dots or spaces (so never ``..``), device names
    (``CON``, ``NUL.txt``) prefixed, bounded to ``max_chars`` characters and ``max_bytes`` UTF-8 bytes keeping a
    short extension (``.pdf``); ``fallback`` when nothing usable is left."""
    name = str(text or "")
    extension = _EXTENSION.search(name)
    suffix = extension.group(0) if extension else ""
    stem = _file_name_part(name[: len(name) - len(suffix)], max_chars - len(suffix), max_bytes - len(suffix))
    if not stem:
        stem, suffix = _file_name_part(fallback, max_chars, max_bytes) or "_", suffix
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return f"{stem}{suffix}"
