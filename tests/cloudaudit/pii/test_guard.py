"""Failures and log records while handling a sample cannot quote a value."""

from __future__ import annotations

import csv
import io
import json
import logging
import random
import traceback

import pytest

from cloudaudit.errors import CloudauditError, SampleSkipped, Unreachable
from cloudaudit.model import PiiType
from cloudaudit.pii.guard import (
    PiiLogFilter,
    guarded,
    install_log_filter,
    redact_text,
    scrub,
    scrub_exception,
)
from cloudaudit_demo import synth

SECRET_ID = synth.value(PiiType.NATIONAL_ID, "SG", random.Random(11))
SECRET_MAIL = synth.value(PiiType.EMAIL_ADDRESS, "SG", random.Random(12))


def _everything_about(exc: BaseException) -> str:
    """All text an error reporter could reach: messages, args, attributes, the chain, the traceback."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current.args), repr(vars(current)) if hasattr(current, "__dict__") else ""]
        parts += traceback.format_exception(type(current), current, current.__traceback__)
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def _json_failure() -> None:
    json.loads('{"nric": "' + SECRET_ID + '", "email": "' + SECRET_MAIL + '"')


def _unicode_failure() -> None:
    (SECRET_ID.encode() + b"\xff\xfe").decode("utf-8")


def _csv_failure() -> None:
    list(csv.reader(io.StringIO(f'"{SECRET_ID}"x,"{SECRET_MAIL}"\n'), strict=True))


def _value_error() -> None:
    raise ValueError(f"cannot parse {SECRET_ID}")


def _chained() -> None:
    try:
        _value_error()
    except ValueError as exc:
        raise RuntimeError(f"while reading {SECRET_MAIL}") from exc


@pytest.mark.parametrize("failure", [_json_failure, _unicode_failure, _csv_failure, _value_error, _chained])
def test_guarded_failures_carry_no_value(failure: object) -> None:
    with pytest.raises(SampleSkipped) as caught, guarded("unreadable sample"):
        failure()  # type: ignore[operator]
    text = _everything_about(caught.value)
    assert str(caught.value).startswith("unreadable sample (")
    assert SECRET_ID not in text
    assert SECRET_MAIL not in text
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_unguarded_failures_would_leak() -> None:
    # The premise of the guard: the parsers do quote values.
    with pytest.raises(json.JSONDecodeError) as caught:
        _json_failure()
    assert SECRET_ID in _everything_about(caught.value)


def test_own_errors_keep_class_and_reason_but_lose_their_chain() -> None:
    with pytest.raises(Unreachable, match="^endpoint down$") as caught, guarded("unreadable sample"):
        try:
            _value_error()
        except ValueError:
            raise Unreachable("endpoint down")  # noqa: B904 - the guard must cut this chain
    assert SECRET_ID not in _everything_about(caught.value)


def test_error_class_is_chosen_by_the_caller() -> None:
    with pytest.raises(Unreachable, match="reading bucket"), guarded("reading bucket", error=Unreachable):
        _value_error()


def test_guard_passes_success_through() -> None:
    with guarded("fine"):
        result = 1 + 1
    assert result == 2


def test_scrub_exception_clears_attributes() -> None:
    try:
        _json_failure()
    except json.JSONDecodeError as exc:
        scrub_exception(exc)
        assert exc.args == ()
        assert not hasattr(exc, "doc") or SECRET_ID not in str(getattr(exc, "doc", ""))
        assert exc.__traceback__ is None


def test_log_filter_masks_identifiers_and_withholds_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())
    logger = logging.getLogger("cloudaudit.test.guard")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            _value_error()
        except ValueError:
            logger.exception("row %d: nric=%s email=%s", 7, SECRET_ID, SECRET_MAIL)
        logger.warning("sampled %s: %d rows", "s3://bucket/key.csv", 500)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert SECRET_ID not in output
    assert SECRET_MAIL not in output
    assert "row 7: nric=" in output
    assert "ValueError (details withheld)" in output
    assert "sampled s3://bucket/key.csv: 500 rows" in output  # identifiers and counts survive


def test_redact_text_masks_identifiers_of_every_country() -> None:
    rng = random.Random(3)
    values = [synth.value(PiiType.NATIONAL_ID, cc, rng) for cc in ("JP", "TH", "SG", "IN")]
    text = "ids: " + ", ".join(f"national id {v}" for v in values)
    redacted = redact_text(text)
    for value in values:
        assert value not in redacted
    assert redacted.startswith("ids: national id ")


def test_scrub_replaces_every_planted_value() -> None:
    text = f"a {SECRET_ID} b {SECRET_MAIL} c {SECRET_ID}"
    cleaned = scrub(text, [SECRET_ID, SECRET_MAIL, ""])
    assert SECRET_ID not in cleaned
    assert SECRET_MAIL not in cleaned
    assert cleaned.startswith("a ") and " c " in cleaned


def test_guard_is_a_cloudaudit_error_boundary() -> None:
    with pytest.raises(CloudauditError), guarded("x"):
        raise KeyError(SECRET_ID)


def test_install_log_filter_covers_handlers_once() -> None:
    logger = logging.getLogger("cloudaudit.test.install")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        assert install_log_filter(logger) == 1
        assert install_log_filter(logger) == 0  # idempotent
        logger.warning("customer %s", SECRET_ID)
    finally:
        logger.removeHandler(handler)
    assert SECRET_ID not in stream.getvalue()
