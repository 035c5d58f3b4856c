"""The one JSON decoder for input: every JSON body and every JSON-valued parameter goes through it.

Python's :func:`json.loads` recurses once per nesting level and accepts ``NaN`` and ``Infinity``:
a kilobyte of ``[`` reaches the interpreter's recursion limit (a ``RecursionError`` where a
``ValueError`` was expected), and a non-finite number poisons whatever arithmetic it reaches. This
decoder refuses, before parsing, a text longer than ``max_chars`` or nested deeper than
``max_depth``, and refuses non-finite numbers while parsing. Every refusal is a
:class:`JSONInputError` (a ``ValueError``) whose message says which limit was passed, so callers
turn it into the code-100 envelope that names their parameter.

Depth is counted on the brackets outside string literals (a regular expression removes the
strings first), in one pass over the text; a text with fewer brackets than the limit is not
scanned at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deeper than any Graph parameter (targeting specs are about 6 levels) and far below the
#: interpreter's recursion limit.
MAX_DEPTH = 64
#: A JSON-valued parameter or body; request bodies are also bounded by ``max_body_bytes``.
MAX_CHARS = 1_000_000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONInputError(ValueError):
    """The text is not JSON, or passes a limit; ``str()`` says which, in a sentence."""


def _refuse_constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise JSONInputError(f"{text} is too large a number")
    return value


def depth_of(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(raw: str | bytes, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_CHARS) -> Any:
    """``json.loads`` within limits; raises :class:`JSONInputError` for anything it refuses."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONInputError("the text is not valid UTF-8") from None
    else:
        text = raw
    if len(text) > max_chars:
        raise JSONInputError(f"the text is longer than {max_chars} characters")
    opening = text.count("[") + text.count("{")
    if opening > max_depth and depth_of(text) > max_depth:
        raise JSONInputError(f"arrays and objects are nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except JSONInputError:
        raise
    except RecursionError:  # not reachable within max_depth; kept as a last line
        raise JSONInputError(f"arrays and objects are nested deeper than {max_depth} levels") from None
    except json.JSONDecodeError as exc:
        raise JSONInputError(exc.msg) from None  # the sentence, without "line 1 column 2 (char 1)"
    except ValueError as exc:  # an integer longer than the interpreter converts (4300 digits)
        raise JSONInputError(str(exc.args[0]) if exc.args else "the text is not JSON") from None
