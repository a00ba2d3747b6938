"""Which countries' reports a signed-in Airflow user may see: deny by default, configured.

Two sources, chosen by ``CLOUDAUDIT_PORTAL_ACCESS``:

``auth_manager`` (default)
    Ask Airflow's auth manager for the custom-view resource ``cloudaudit:<CC>`` (or
    ``cloudaudit:ALL`` for every country) with method GET. With the FAB auth manager that is
    the permission ``can_read`` on that resource, granted to roles with
    ``cloudaudit portal grant ROLE CC...``; Keycloak and other managers map it their own way.
    SimpleAuthManager answers yes to every custom view for any viewer, so it cannot tell
    countries apart: under it this source allows nothing (use ``grants`` there).
``grants``
    A JSON object in ``CLOUDAUDIT_PORTAL_GRANTS`` from user name (or ``role:<role>``) to a list
    of country codes or ``"*"``, e.g. ``{"jp_auditor": ["JP"], "role:admin": ["*"]}``: for
    development stacks on SimpleAuthManager.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

RESOURCE_PREFIX = "cloudaudit:"
ALL_COUNTRIES = "ALL"
ACCESS_ENV = "CLOUDAUDIT_PORTAL_ACCESS"
GRANTS_ENV = "CLOUDAUDIT_PORTAL_GRANTS"

log = logging.getLogger(__name__)


class AccessConfigError(ValueError):
    """The portal's access configuration cannot be used (named variable, clear reason)."""


def resource_name(country: str) -> str:
    """The custom-view resource that grants one country (``ALL`` grants every country)."""
    return f"{RESOURCE_PREFIX}{country}"


def _default_auth_manager() -> Any:
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager()


class CountryAccess:
    """Decides per user and country; subclasses say how."""

    def allowed(self, user: Any, country: str) -> bool:
        raise NotImplementedError

    def visible(self, user: Any, countries: Iterable[str]) -> set[str]:
        return {c for c in set(countries) if self.allowed(user, c)}


class AuthManagerAccess(CountryAccess):
    def __init__(self, auth_manager: Callable[[], Any] = _default_auth_manager) -> None:
        self._auth_manager = auth_manager

    def allowed(self, user: Any, country: str) -> bool:
        manager = self._auth_manager()
        if type(manager).__name__ == "SimpleAuthManager":
            log.warning("cloudaudit portal: SimpleAuthManager cannot restrict countries; "
                        "set %s=grants with %s, or use the FAB auth manager", ACCESS_ENV, GRANTS_ENV)
            return False
        return any(manager.is_authorized_custom_view(method="GET", resource_name=resource_name(name), user=user)
                   for name in (country, ALL_COUNTRIES))


def _user_keys(user: Any) -> list[str]:
    """The names a grant may use for this user: its name, and ``role:<r>`` for each role."""
    keys = [str(user.get_name())]
    role = getattr(user, "role", None)  # SimpleAuthManager
    if role:
        keys.append(f"role:{str(role).lower()}")
    for fab_role in getattr(user, "roles", None) or ():  # FAB
        keys.append(f"role:{str(getattr(fab_role, 'name', fab_role)).lower()}")
    return keys


class GrantsAccess(CountryAccess):
    def __init__(self, grants: Mapping[str, Iterable[str]]) -> None:
        self.grants = {name: {c.upper() for c in countries} for name, countries in grants.items()}

    def allowed(self, user: Any, country: str) -> bool:
        for key in _user_keys(user):
            granted = self.grants.get(key, set())
            if country in granted or "*" in granted:
                return True
        return False


def parse_grants(text: str) -> dict[str, list[str]]:
    """``CLOUDAUDIT_PORTAL_GRANTS`` as a mapping; AccessConfigError naming what is wrong.

    >>> parse_grants('{"jp_auditor": ["JP"], "role:admin": ["*"]}')
    {'jp_auditor': ['JP'], 'role:admin': ['*']}
    """
    from cloudaudit.portal.names import BadName, country_code

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccessConfigError(f"{GRANTS_ENV}: not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(value, dict):
        raise AccessConfigError(f"{GRANTS_ENV}: expected a JSON object of user name to country list")
    grants: dict[str, list[str]] = {}
    for name, countries in value.items():
        if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
            raise AccessConfigError(f"{GRANTS_ENV}[{name!r}]: expected a list of country codes or \"*\"")
        try:
            grants[name] = [c if c == "*" else country_code(c) for c in countries]
        except BadName as exc:
            raise AccessConfigError(f"{GRANTS_ENV}[{name!r}]: {exc}") from None
    return grants


def access_from_env(environ: Mapping[str, str] | None = None) -> CountryAccess:
    env = os.environ if environ is None else environ
    mode = env.get(ACCESS_ENV, "auth_manager").strip().lower() or "auth_manager"
    if mode == "auth_manager":
        return AuthManagerAccess()
    if mode == "grants":
        return GrantsAccess(parse_grants(env.get(GRANTS_ENV, "{}")))
    raise AccessConfigError(f"{ACCESS_ENV}: expected auth_manager or grants, got {mode[:32]!r}")
