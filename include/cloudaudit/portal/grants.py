"""``cloudaudit portal grant|revoke ROLE CC...``: country access as FAB roles, in Airflow's own DB.

A grant creates the role when it is missing and gives it ``can_read`` on ``cloudaudit:<CC>``
(``ALL``: every country), plus what any portal user needs to reach the page: the website,
the plugin menus and their own profile. It never touches other permissions of the role, so
a country can be added to an existing role (e.g. ``Admin``) as well.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit.portal.access import ALL_COUNTRIES, resource_name
from cloudaudit.portal.names import BadName, country_code

CAN_READ = "can_read"
PORTAL_BASICS = (("can_read", "Website"), ("can_read", "Plugins"), ("can_read", "My Profile"))


def country_resources(countries: Sequence[str]) -> list[str]:
    """``cloudaudit:<CC>`` for each code; BadName for anything that is not a country or ALL.

    >>> country_resources(["jp", "ALL"])
    ['cloudaudit:JP', 'cloudaudit:ALL']
    """
    return [resource_name(ALL_COUNTRIES if c.upper() == ALL_COUNTRIES else country_code(c)) for c in countries]


def change_grants(role_name: str, countries: Sequence[str], *, revoke: bool = False) -> list[str]:
    """Apply the change in Airflow's metadata DB (FAB auth manager); returns one line per change."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    resources = country_resources(countries)
    changes: list[str] = []
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        role = sm.find_role(role_name)
        if role is None:
            if revoke:
                return [f"role {role_name} does not exist: nothing to revoke"]
            role = sm.add_role(role_name)
            changes.append(f"created role {role_name}")
        held = {(p.action.name, p.resource.name) for p in role.permissions}
        wanted = [(CAN_READ, r) for r in resources]
        if revoke:
            for action, resource in wanted:
                if (action, resource) in held:
                    sm.remove_permission_from_role(role, sm.get_permission(action, resource))
                    changes.append(f"revoked {action} on {resource} from {role_name}")
            return changes
        for action, resource in [*wanted, *PORTAL_BASICS]:
            if (action, resource) not in held:
                sm.add_permission_to_role(role, sm.create_permission(action, resource))
                changes.append(f"granted {action} on {resource} to {role_name}")
    return changes


def run_grant(role_name: str, countries: Sequence[str], *, revoke: bool = False) -> int:
    import sys

    try:
        lines = change_grants(role_name, countries, revoke=revoke)
    except BadName as exc:
        print(f"cloudaudit portal: {exc}", file=sys.stderr)
        return 2
    for line in lines or ["nothing to change"]:
        print(line)
    return 0
