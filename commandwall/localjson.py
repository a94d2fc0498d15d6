"""JSON from the desk's own files (wall presets, screen profiles, layer sources, the layer view …): one parse that
refuses every document it cannot read the same way.

``json.loads`` fails in more ways than ``JSONDecodeError``: a document nested deeper than the interpreter's
recursion raises ``RecursionError``, and a number of more than 4300 digits a plain ``ValueError`` (Python's
limit on converting such text to an int, see ``sys.set_int_max_str_digits``). A caller that catches only the
first lets the others escape and stop whatever was reading. :func:`parse_json` turns all of them into
:class:`NotJsonError`. A byte order mark at the start (Windows Notepad writes one) is not part of the document
and is skipped.

Answers from the platform go through ``backend.answers.decode_json`` instead (its own error, its depth check
before parsing).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

BOM = "\ufeff"


class JsonProblem(StrEnum):
    """Why a text is not a JSON document the desk can use."""

    #: not JSON at all: ``NotJsonError.line`` says where it stops being JSON
    SYNTAX = "not valid JSON"
    #: arrays or objects nested deeper than the parser can follow
    TOO_DEEP = "JSON nested too deeply"
    #: a number too long to read (more than 4300 digits)
    NUMBER_TOO_LONG = "JSON with a number too long to read"


class NotJsonError(ValueError):
    """Text that is not a JSON document the desk can use: ``problem`` says why, ``line`` where (1-based; only
    for :attr:`JsonProblem.SYNTAX`, else None). ``str()`` is a short English reason for logs."""

    def __init__(self, problem: JsonProblem, line: int | None = None) -> None:
        self.problem = problem
        self.line = line
        super().__init__(f"{problem.value} (line {line})" if line is not None else problem.value)


def parse_json(text: str) -> Any:
    """The JSON document ``text`` (a leading byte order mark skipped); :class:`NotJsonError` for anything the
    parser refuses or cannot finish."""
    try:
        return json.loads(text.removeprefix(BOM))
    except json.JSONDecodeError as error:
        raise NotJsonError(JsonProblem.SYNTAX, error.lineno) from None
    except RecursionError:
        raise NotJsonError(JsonProblem.TOO_DEEP) from None
    except ValueError:  # the only other ValueError the parser raises: an int of more digits than allowed
        raise NotJsonError(JsonProblem.NUMBER_TOO_LONG) from None
