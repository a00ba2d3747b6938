"""cloudaudit: finds exposed personal data in cloud estates, per country.

The package is pure Python; heavy libraries (pandas, boto3, Great Expectations,
google-cloud) are imported inside the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
