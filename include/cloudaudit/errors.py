"""Exceptions raised by cloudaudit.

    CloudauditError
      ConfigError       inventory/policy invalid; the message names the file and field path
      SnapshotNotFound  replay with no snapshot for the date → NOT_ASSESSED rows
      CollectError      raised inside collectors only; becomes a coverage entry at their edge
        AccessDenied    the cloud refused a call
        Unreachable     the endpoint could not be reached or timed out
        SampleSkipped   unsupported, corrupt or over a limit: the reason is the message
      EvidenceError
        BundleInvalid   `cloudaudit verify` exits 1, naming the member or the signature

Messages carry identifiers and reasons, never data values.
"""

from __future__ import annotations


class CloudauditError(Exception):
    """Base of every error cloudaudit raises on purpose."""


class ConfigError(CloudauditError):
    """Raised when an inventory or policy file is missing or malformed."""


class SnapshotNotFound(CloudauditError):
    """Raised when replay finds no snapshot for the environment and date."""


class CollectError(CloudauditError):
    """Raised inside collectors when a resource or sample cannot be read."""


class AccessDenied(CollectError):
    """Raised when the cloud denies a call."""


class Unreachable(CollectError):
    """Raised when an endpoint cannot be reached or times out."""


class SampleSkipped(CollectError):
    """Raised when a sample is unsupported, corrupt or over a limit; the message is the reason."""


class EvidenceError(CloudauditError):
    """Raised when an evidence bundle cannot be built or read."""


class BundleInvalid(EvidenceError):
    """Raised when a bundle's hashes or signature do not hold."""
