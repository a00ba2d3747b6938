"""AWS collectors.

- ``session``: the one place clients are built (credentials, role, endpoint, retries, timeouts)
- ``calls``: one call → response, ``None`` for "not configured", or ``CallFailed("<Op>: <Code>")``
- ``breaker``: stops requests to an endpoint that stopped answering mid-run
- ``s3``: ``collect_s3(env, limits)``, every bucket of the account with bounded samples
"""

from __future__ import annotations
