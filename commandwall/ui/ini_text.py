"""Qt's INI text (what ``QSettings`` in ``IniFormat`` writes), read and written here without Qt's reader.

Qt's reader turns a value written ``@Variant(…)`` or ``@DateTime(…)`` into an object of any registered type read
from a data stream, and PySide registers one that unpickles: whoever can write the file runs code in the desk.
This module reads only text, lists of text and bytes (``@ByteArray(…)``); every other ``@…(…)`` form reads as
nothing. It follows Qt's rules for lines, sections, keys (``%XX``, ``%UXXXX``, ``\\`` for ``/``), quotes, commas and
escapes (``\\n``, ``\\x…``, octal …, on 16-bit units as Qt does), and writes what Qt writes, so a file of an older
client reads the same here and a file written here reads the same in an older client.

:func:`holds_serialised_value` answers whether Qt's reader would read any value of a file as a data stream.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping

#: a value as read: text, a list of texts (commas outside quotes), bytes, or None (absent, or not one of these)
IniValue = str | list[str] | bytes | None

_SIMPLE_ESCAPES = {ord("a"): 0x07, ord("b"): 0x08, ord("f"): 0x0C, ord("n"): 0x0A, ord("r"): 0x0D,
                   ord("t"): 0x09, ord("v"): 0x0B, ord('"'): 0x22, ord("?"): 0x3F, ord("'"): 0x27,
                   ord("\\"): 0x5C}
_HEX = b"0123456789abcdefABCDEF"
_OCT = b"01234567"
_BLANKS = (0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C)  # tab, line ends, space, quote, comma
_KEY_KEPT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")
#: what Qt reads as a data stream (any type): never read here, and a file holding it is not kept
SERIALISED_FORMS = ("Variant(", "DateTime(")


def _units(text: str) -> list[int]:
    """``text`` as UTF-16 code units (what a QString holds)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return list(struct.unpack(f"<{len(data) // 2}H", data))


def _text(units: list[int]) -> str:
    """UTF-16 code units as text (a lone surrogate, possible in Qt, becomes U+FFFD)."""
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "replace")


def _unescape(value: bytes, *, whole_file: bool = False) -> tuple[list[list[int]], bool]:
    """Qt's ``iniUnescapedStringList``: the value's text (one item, or the items of a list and True).

    ``whole_file``: read ``value`` (a whole file) as one run, Qt's escapes decoded the same way, every quote,
    comma, space, tab and line end dropped — what any value Qt reads in it becomes, with fewer characters."""
    items: list[list[int]] = []
    out: list[int] = []
    is_list = in_quotes = quoted = False
    i, n = 0, len(value)
    dropped = _BLANKS if whole_file else ()

    def skip_spaces(at: int) -> int:
        while at < n and value[at] in b" \t":
            at += 1
        return at

    i = skip_spaces(i)
    chop = 0  # Qt's chop limit: spaces and tabs after it at an item's end are dropped, unless it was quoted
    while i < n:
        ch = value[i]
        if ch == 0x5C:  # backslash
            i += 1
            if i >= n:
                return _ended(items, out, is_list)  # Qt stops here, nothing chopped
            ch = value[i]
            i += 1
            if ch == 0x78 and i >= n:
                return _ended(items, out, is_list)  # \x at the very end: Qt stops here too
            if ch in _SIMPLE_ESCAPES:
                out.extend(u for u in (_SIMPLE_ESCAPES[ch],) if u not in dropped)
            elif (ch == 0x78 and i < n and value[i] in _HEX) or ch in _OCT:  # \x…, \0…
                digits, base, escaped = (_HEX, 16, 0) if ch == 0x78 else (_OCT, 8, ch - 0x30)
                while i < n and value[i] in digits:
                    escaped = (escaped * base + int(chr(value[i]), base)) & 0xFFFF  # one 16-bit unit, as in Qt
                    i += 1
                out.extend(u for u in (escaped,) if u not in dropped)
                if i >= n:
                    return _ended(items, out, is_list)
            elif ch in b"\r\n" and i < n and value[i] in b"\r\n" and value[i] != ch:
                i += 1  # a line continued: \ and its line end are dropped
            # any other escaped character (and \x without a digit) is dropped
            chop = len(out)
        elif ch == 0x22:  # quote
            i += 1
            quoted, in_quotes = True, not in_quotes
            if not in_quotes:
                i = skip_spaces(i)
                chop = len(out)
        elif ch == 0x2C and not in_quotes and not whole_file:  # comma: the next item of a list
            if not quoted:
                _chop(out, chop)
            items.append(out)
            out, chop, quoted, is_list = [], 0, False, True
            i = skip_spaces(i + 1)
        else:
            j = i + 1
            while j < n and value[j] not in b'\\",':
                j += 1
            out.extend(u for u in _units(value[i:j].decode("utf-8", "replace")) if u not in dropped)
            i = j
    if not quoted:
        _chop(out, chop)
    return _ended(items, out, is_list)


def _ended(items: list[list[int]], out: list[int], is_list: bool) -> tuple[list[list[int]], bool]:
    return ([*items, out], True) if is_list else ([out], False)


def _chop(units: list[int], limit: int) -> None:
    while len(units) > limit and units[-1] in (0x20, 0x09):
        units.pop()


def decode_value(raw: bytes) -> IniValue:
    """A value as Qt wrote it (the bytes after ``=``) as text, a list of texts or bytes; None for every other
    ``@…`` form (``@Variant``, ``@DateTime``, ``@Rect`` …, ``@Invalid()``), which is never read here."""
    items, is_list = _unescape(raw)
    if is_list:
        texts = []
        for units in items:
            if units[:1] == [0x40] and units[1:2] != [0x40]:
                return None  # Qt would read each item as a typed value
            texts.append(_text(units[1:] if units[:1] == [0x40] else units))
        return texts
    units = items[0]
    if units[:1] != [0x40]:
        return _text(units)
    if units[1:2] == [0x40]:
        return _text(units[1:])
    if units[-1:] == [0x29]:
        if units[:11] == _units("@ByteArray("):
            return bytes(u if u <= 0xFF else 0x3F for u in units[11:-1])  # QString::toLatin1
        if units[:8] == _units("@String("):
            return _text(units[8:-1])
    return None


def holds_serialised_value(data: bytes) -> bool:
    """Whether any value in the INI text ``data`` might be read by Qt as a data stream (``@Variant(…)``,
    ``@DateTime(…)``), however it is written: escaped, quoted in pieces, in a list, in a comment, split over a
    line. The whole file is read as one value with every quote, comma and blank dropped, so what Qt reads out of
    any part of it is found in it — a file that merely names such a form may be refused too, never the reverse."""
    run = "".join(map(chr, _unescape(data, whole_file=True)[0][0]))  # unit for unit: nothing decoded away
    return any(form in run for form in SERIALISED_FORMS)


def _lines(data: bytes) -> Iterator[tuple[bytes, int]]:
    """Qt's ``readIniLine``: each logical line (a quoted value may hold line ends) and where its ``=`` is
    (-1: none); comment lines (``;``) are left out."""
    n, pos = len(data), 0
    while True:
        start = pos
        while start < n and data[start] in b" \t\r\n":
            start += 1
        i, in_quotes, equals = start, False, -1
        while i < n:
            ch = data[i]
            i += 1
            if ch == 0x3D:  # =
                if not in_quotes and equals == -1:
                    equals = i - 1
            elif ch in b"\r\n":
                if not in_quotes:
                    i -= 1
                    break
            elif ch == 0x5C:  # backslash: the next character is part of the line
                if i < n:
                    first = data[i]
                    i += 1
                    if i < n and {first, data[i]} == {0x0A, 0x0D}:
                        i += 1
            elif ch == 0x22:
                in_quotes = not in_quotes
            elif ch == 0x3B:  # ;
                if i == start + 1:  # a comment line
                    while i < n and data[i] not in b"\r\n":
                        i += 1
                    while i < n and data[i] in b" \t\r\n":
                        i += 1
                    start = i
                elif not in_quotes:
                    i -= 1
                    break
        pos = i
        if i <= start:
            return
        yield data[start:i], equals - start if equals >= 0 else -1


def unescape_key(raw: bytes) -> str:
    """Qt's ``iniUnescapedKey``: ``\\`` is ``/``, ``%XX`` and ``%UXXXX`` are characters."""
    text = raw.decode("utf-8", "replace")
    units: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            units.append(0x2F)
            i += 1
            continue
        if ch == "%" and i + 1 < len(text):
            start = i + 2 if text[i + 1] == "U" else i + 1
            digits = text[start:start + (4 if text[i + 1] == "U" else 2)]
            if len(digits) == (4 if text[i + 1] == "U" else 2) and all(d in "0123456789abcdefABCDEF" for d in digits):
                units.append(int(digits, 16))
                i = start + len(digits)
                continue
        units.extend(_units(ch))
        i += 1
    return _text(units)


def escape_key(key: str) -> bytes:
    """Qt's ``iniEscapedKey``."""
    out = bytearray()
    for unit in _units(key):
        if unit == 0x2F:
            out += b"\\"
        elif unit in _KEY_KEPT:
            out.append(unit)
        elif unit <= 0xFF:
            out += b"%%%02X" % unit
        else:
            out += b"%%U%04X" % unit
    return bytes(out)


def read_entries(data: bytes) -> dict[str, bytes]:
    """Every ``section/key`` of the INI text ``data`` and its value as written (not yet read), in file order; a
    later one of the same name replaces an earlier one, as in Qt."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    entries: dict[str, bytes] = {}
    section = ""
    for line, equals in _lines(data):
        if line.startswith(b"["):
            end = line.find(b"]")
            name = line[1:end if end > 0 else len(line)].strip()
            if name.lower() == b"general":
                section = ""
            elif name.lower() == b"%general":
                section = name[1:].decode("latin-1") + "/"
            else:
                section = unescape_key(name) + "/"
        elif equals >= 0:
            key = unescape_key(line[:equals].strip())
            entries[section + key] = line[equals + 1:]
    return entries


def encode_value(value: str | bytes) -> bytes:
    """A value as Qt writes it: text (``@`` at its start doubled), or bytes as ``@ByteArray(…)``."""
    if isinstance(value, bytes):
        return _escape("@ByteArray(" + value.decode("latin-1") + ")", raw=True)
    if "\0" in value:
        return _escape(f"@String({value})", raw=False)
    return _escape("@" + value if value.startswith("@") else value, raw=False)


def _escape(text: str, *, raw: bool) -> bytes:
    """Qt's ``iniEscapedString`` (``raw``: bytes, written as ``\\xHH`` from 0x7f up instead of as UTF-8)."""
    out = bytearray()
    needs_quotes = escape_next_if_digit = False
    named = {0x00: b"\\0", 0x07: b"\\a", 0x08: b"\\b", 0x0C: b"\\f", 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t",
             0x0B: b"\\v", 0x22: b'\\"', 0x5C: b"\\\\"}
    for ch in text:
        code = ord(ch)
        if ch in ";,=":
            needs_quotes = True
        if escape_next_if_digit and ch in "0123456789abcdefABCDEF":
            out += b"\\x%x" % code
            continue
        escape_next_if_digit = code == 0
        if code in named:
            out += named[code]
        elif code <= 0x1F or (code >= 0x7F and raw):
            out += b"\\x%x" % code
            escape_next_if_digit = True
        else:
            out += ch.encode("utf-8", "surrogatepass")
    if needs_quotes or out[:1] == b" " or out[-1:] == b" ":
        return b'"' + bytes(out) + b'"'
    return bytes(out)


def write_entries(entries: Mapping[str, bytes]) -> bytes:
    """INI text of ``section/key`` → value as written, grouped by section in the order each first appears (keys
    without a section under ``[General]``), as Qt lays a file out."""
    sections: dict[str, list[tuple[str, bytes]]] = {}
    for name, raw in entries.items():
        section, _, key = name.partition("/") if "/" in name else ("", "", name)
        sections.setdefault(section, []).append((key, raw))
    blocks = []
    for section, keys in sections.items():
        head = escape_key(section)
        head = b"[General]" if not head else b"[%General]" if head.lower() == b"general" else b"[" + head + b"]"
        blocks.append(head + b"\n" + b"".join(escape_key(k) + b"=" + raw + b"\n" for k, raw in keys))
    return b"\n".join(blocks)
