"""Keeping sample values out of exceptions and logs.

Parsers quote what they choke on: ``json.JSONDecodeError.doc`` holds the whole document,
``UnicodeDecodeError.object`` the bytes, a CSV error the line, and a traceback's frames the
locals. While a sample is handled:

- ``guarded(reason)`` turns any failure into a ``CloudauditError`` whose message is the
  reason and the exception's class name, raised ``from None``; the original exception
  (still reachable as ``__context__``, which Python sets on any raise in a handler) is
  scrubbed first: no args, no attributes, no traceback, and so for its whole chain.
- ``PiiLogFilter`` masks identifiers found in a log message (the span detectors of every
  covered country) and replaces tracebacks with the exception's class name;
  ``install_log_filter()`` puts one on every handler of the root and Airflow task loggers.
- ``scrub(text, values)`` masks given values wherever they occur (tests plant values and
  search every output with it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator

from cloudaudit.errors import CloudauditError, SampleSkipped
from cloudaudit.pii.mask import mask

WITHHELD = "details withheld"


def scrub_exception(exc: BaseException) -> None:
    """Strip an exception and its chain of everything that could quote a value, in place."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        following = current.__cause__ or current.__context__
        if not isinstance(current, CloudauditError):  # ours carry reasons only
            current.args = ()
            with contextlib.suppress(AttributeError, TypeError):
                vars(current).clear()  # e.g. JSONDecodeError.doc, .msg, .pos
            if isinstance(current, UnicodeError):
                for name, empty in (("object", b""), ("start", 0), ("end", 0), ("reason", "")):
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(current, name, empty)
        current.__traceback__ = None  # frames hold the parser's locals
        current.__cause__ = None
        current.__context__ = None
        current = following


@contextlib.contextmanager
def guarded(reason: str, error: type[CloudauditError] = SampleSkipped) -> Iterator[None]:
    """Run a block that handles raw values; re-raise any failure as ``error(reason)``.

    A ``CloudauditError`` raised inside keeps its class and message (they carry reasons
    only) but loses any chained exception.

    >>> import json
    >>> try:
    ...     with guarded("unreadable JSON"):
    ...         json.loads('{"nric": "S1234567D"')
    ... except SampleSkipped as exc:
    ...     print(exc, exc.__cause__, exc.__context__.args)
    unreadable JSON (JSONDecodeError) None ()
    """
    try:
        yield
    except CloudauditError as exc:
        scrub_exception(exc)
        raise
    except Exception as exc:
        name = type(exc).__name__
        scrub_exception(exc)
        raise error(f"{reason} ({name})") from None


def scrub(text: str, values: Iterable[str]) -> str:
    """``text`` with every occurrence of any of ``values`` masked (longest first)."""
    for value in sorted({v for v in values if v and v.strip()}, key=len, reverse=True):
        text = text.replace(value, mask(value))
    return text


def redact_text(text: str) -> str:
    """``text`` with every identifier any covered country's detectors find in it masked."""
    from cloudaudit.pii.registry import countries
    from cloudaudit.pii.spans import find_spans

    spans = sorted({(s.start, s.end) for country in sorted(countries()) for s in find_spans(text, country)})
    pieces, position = [], 0
    for start, end in spans:
        if start < position:
            start = position  # overlapping spans of two countries: mask the union
        if end <= start:
            continue
        pieces += [text[position:start], mask(text[start:end])]
        position = end
    return "".join([*pieces, text[position:]])


class PiiLogFilter(logging.Filter):
    """Mask identifiers in log messages and keep tracebacks to the exception's class name.

    Attach it to the handlers that write task logs (a filter on a logger does not see
    records propagated from its children).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format is not shown at all
            message = f"unformattable log record from {record.name}"
        record.msg = redact_text(message)
        record.args = ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = f"{record.exc_info[0].__name__} ({WITHHELD})"
            record.exc_info = None
        return True


def install_log_filter(*loggers: logging.Logger) -> int:
    """Attach a ``PiiLogFilter`` to every handler of ``loggers`` (default: the root logger and
    ``airflow.task``) that has none yet; returns how many handlers got one."""
    targets = loggers or (logging.getLogger(), logging.getLogger("airflow.task"))
    added = 0
    for logger in targets:
        for handler in logger.handlers:
            if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                handler.addFilter(PiiLogFilter())
                added += 1
    return added
