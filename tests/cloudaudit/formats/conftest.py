from __future__ import annotations

import pytest

from cloudaudit.config import Limits


@pytest.fixture
def limits() -> Limits:
    return Limits()
