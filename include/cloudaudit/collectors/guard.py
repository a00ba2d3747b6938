"""The per-resource guard, one shape for both clouds: an unexpected exception costs one resource.

Cloud failures never reach it: each cloud's mapper (``aws.calls`` for botocore,
``gcp.failures`` for google-api-core, google-auth and their transport) turns them into
``"<call>: <status>"`` reasons first. What reaches it is a bug, ours or a library's: logged as
an error with its type and last frames (never its message, which may quote sampled data),
and recorded on the resource or sample as ``collector error (<Type>)`` on either cloud.
"""

from __future__ import annotations

import logging
import traceback


def bug_reason(exc: BaseException) -> str:
    """>>> bug_reason(KeyError("x"))
    'collector error (KeyError)'
    """
    return f"collector error ({type(exc).__name__})"


def unexpected(log: logging.Logger, action: str, resource: str, exc: BaseException) -> str:
    """Log ``exc`` as a bug met while ``action``-ing ``resource``; returns the coverage reason."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-3:])
    log.error("%s %s: unexpected %s (a bug, not a cloud failure)\n%s", action, resource, type(exc).__name__,
              frames)
    return bug_reason(exc)
