"""JSON made and read in slices, so that a worker thread handling a big document lets the GUI thread run.

CPython's ``json`` encoder and decoder are C code that holds the interpreter lock for the whole call: encoding a
layer of 6 000 polygons (31 MB of text) is one call of a second, and while it runs the GUI thread cannot run any
Python (a timer, a slot, a paint handler written in Python) — the window freezes although the work is on a worker.
Here the C code is called on slices of the document instead, with Python in between, where the interpreter hands
the lock to a waiting thread (every ``sys.getswitchinterval()``, 5 ms):

* :func:`dumps` encodes the containers of a big value in Python and the pieces under about
  :data:`SLICE_NUMBERS` numbers each with one ``json.dumps`` call; the text is what ``json.dumps`` would make
  with the same options.
* :func:`loads` walks the outer levels of a document (a FeatureCollection, its ``features``) in Python and
  decodes each element there (a feature) with the C scanner; the value is what ``json.loads`` would give, and a
  text that is not JSON raises ``json.JSONDecodeError`` as ``json.loads`` does (the message may differ).

One element that is itself huge (a single polygon of a million vertices) is still one C call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring
from json.scanner import make_scanner
from typing import Any

#: About this many numbers (or strings) are encoded by one ``json.dumps`` call: some 200 KB of text, a few ms.
SLICE_NUMBERS = 8000
#: Levels :func:`loads` walks in Python; the values below them are decoded by the C scanner, one call each.
SPLIT_DEPTH = 2

_WS = re.compile(r"[ \t\n\r]*")


def _weight(value: Any, limit: int) -> int:
    """About how many scalars ``value`` holds (a list is taken as its length times its first item's weight),
    counting no further than ``limit``: cheap, however big the value."""
    if isinstance(value, dict):
        total = 1
        for item in value.values():
            total += _weight(item, limit - total)
            if total > limit:
                break
        return total
    if isinstance(value, (list, tuple)):
        if not value:
            return 1
        each = max(1, limit // len(value))  # the first, middle and last items stand for the rest
        heaviest = max(_weight(value[i], each) for i in {0, len(value) // 2, len(value) - 1})
        return 1 + len(value) * heaviest
    return 1


def dumps(value: Any, *, slice_numbers: int = SLICE_NUMBERS, **options: Any) -> str:
    """``json.dumps(value, **options)`` made in slices of about ``slice_numbers`` scalars each (see the module
    doc). ``options`` are ``json.dumps``'s; ``indent`` is not supported (the text would differ)."""
    if options.get("indent") is not None or options.get("sort_keys"):
        raise ValueError("dumps in slices makes unsorted compact text only")
    item_sep, key_sep = options.get("separators") or (", ", ": ")
    encode = json.JSONEncoder(**options).encode
    parts: list[str] = []
    _parts(value, parts, encode, item_sep, key_sep, slice_numbers)
    return "".join(parts)


def _parts(value: Any, out: list[str], encode: Callable[[Any], str], item_sep: str, key_sep: str, limit: int) -> None:
    if _weight(value, limit) <= limit or (isinstance(value, dict) and not all(isinstance(k, str) for k in value)):
        out.append(encode(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(item_sep)
            first = False
            out.append(encode(key) + key_sep)
            _parts(item, out, encode, item_sep, key_sep, limit)
        out.append("}")
    else:  # a list or tuple: runs of light items in one call each, a heavy item on its own
        out.append("[")
        run: list[Any] = []
        run_weight = 0
        wrote = False

        def flush() -> None:
            nonlocal wrote
            if run:
                if wrote:
                    out.append(item_sep)
                out.append(encode(run)[1:-1])
                wrote = True
                run.clear()

        for item in value:
            weight = _weight(item, limit)
            if weight > limit:
                flush()
                run_weight = 0
                if wrote:
                    out.append(item_sep)
                _parts(item, out, encode, item_sep, key_sep, limit)
                wrote = True
                continue
            if run_weight + weight > limit:
                flush()
                run_weight = 0
            run.append(item)
            run_weight += weight
        flush()
        out.append("]")


def loads(
    text: str | bytes,
    *,
    parse_constant: Callable[[str], Any] | None = None,
    split_depth: int = SPLIT_DEPTH,
    check: Callable[[str, int], None] | None = None,
) -> Any:
    """``json.loads(text, parse_constant=…)`` decoded in slices (see the module doc). ``check(piece)`` is
    called with the text of each container the C scanner decoded and how many containers hold it (to check
    a depth limit, say: its exception stands)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    decoder = json.JSONDecoder(parse_constant=parse_constant) if parse_constant else json.JSONDecoder()
    reader = _Reader(text, make_scanner(decoder), split_depth, check)
    value, end = reader.value(_WS.match(text, 0).end(), 0)
    end = _WS.match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


class _Reader:
    """The outer levels of one document, walked in Python (:func:`loads`)."""

    def __init__(
        self,
        text: str,
        scan: Callable[[str, int], tuple[Any, int]],
        split_depth: int,
        check: Callable[[str, int], None] | None,
    ) -> None:
        self.text, self.scan, self.split_depth, self.check = text, scan, split_depth, check

    def value(self, idx: int, depth: int) -> tuple[Any, int]:
        """The value starting at ``idx`` (no white space before it) and the index after it."""
        text = self.text
        char = text[idx : idx + 1]
        if depth < self.split_depth and char == "{":
            return self._object(idx + 1, depth + 1)
        if depth < self.split_depth and char == "[":
            return self._array(idx + 1, depth + 1)
        try:
            value, end = self.scan(text, idx)
        except StopIteration as exc:
            raise json.JSONDecodeError("Expecting value", text, exc.value) from None
        if self.check is not None and char in ("{", "["):
            self.check(text[idx:end], depth)
        return value, end

    def _object(self, idx: int, depth: int) -> tuple[dict[str, Any], int]:
        text, out = self.text, {}
        idx = _WS.match(text, idx).end()
        if text[idx : idx + 1] == "}":
            return out, idx + 1
        while True:
            if text[idx : idx + 1] != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, idx)
            key, idx = scanstring(text, idx + 1, True)
            idx = _WS.match(text, idx).end()
            if text[idx : idx + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, idx)
            out[key], idx = self.value(_WS.match(text, idx + 1).end(), depth)
            idx = _WS.match(text, idx).end()
            char = text[idx : idx + 1]
            if char == "}":
                return out, idx + 1
            if char != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, idx)
            idx = _WS.match(text, idx + 1).end()

    def _array(self, idx: int, depth: int) -> tuple[list[Any], int]:
        text, out = self.text, []
        idx = _WS.match(text, idx).end()
        if text[idx : idx + 1] == "]":
            return out, idx + 1
        while True:
            item, idx = self.value(idx, depth)
            out.append(item)
            idx = _WS.match(text, idx).end()
            char = text[idx : idx + 1]
            if char == "]":
                return out, idx + 1
            if char != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, idx)
            idx = _WS.match(text, idx + 1).end()
