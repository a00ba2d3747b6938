"""Country access from configuration: grants by user or role, malformed settings named."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from cloudaudit.portal.access import (
    AccessConfigError,
    AuthManagerAccess,
    GrantsAccess,
    access_from_env,
    parse_grants,
)


@dataclass
class SimpleUser:
    name: str
    role: str | None = None
    roles: list[object] = field(default_factory=list)

    def get_name(self) -> str:
        return self.name


def test_grants_by_user_and_by_role() -> None:
    access = GrantsAccess(parse_grants('{"jp_auditor": ["JP"], "role:admin": ["*"], "ops": ["th", "VN"]}'))
    assert access.visible(SimpleUser("jp_auditor", "viewer"), {"JP", "TH"}) == {"JP"}
    assert access.visible(SimpleUser("root", "admin"), {"JP", "TH"}) == {"JP", "TH"}
    assert access.visible(SimpleUser("ops"), {"JP", "TH", "VN"}) == {"TH", "VN"}
    assert access.visible(SimpleUser("stranger", "viewer"), {"JP", "TH"}) == set()


@pytest.mark.parametrize("text, message", [
    ("[1]", "CLOUDAUDIT_PORTAL_GRANTS: expected a JSON object"),
    ("{", "CLOUDAUDIT_PORTAL_GRANTS: not JSON"),
    ('{"a": "JP"}', "CLOUDAUDIT_PORTAL_GRANTS['a']: expected a list"),
    ('{"a": ["UK"]}', "CLOUDAUDIT_PORTAL_GRANTS['a']: country 'UK' is not an ISO 3166-1 alpha-2 code"),
])
def test_malformed_grants_name_the_variable(text: str, message: str) -> None:
    with pytest.raises(AccessConfigError) as info:
        parse_grants(text)
    assert str(info.value).startswith(message)


def test_access_mode_from_environment() -> None:
    assert isinstance(access_from_env({}), AuthManagerAccess)
    assert isinstance(access_from_env({"CLOUDAUDIT_PORTAL_ACCESS": "grants"}), GrantsAccess)
    with pytest.raises(AccessConfigError, match="CLOUDAUDIT_PORTAL_ACCESS: expected auth_manager or grants"):
        access_from_env({"CLOUDAUDIT_PORTAL_ACCESS": "everyone"})
