"""Airflow plugin: the auditors' portal at /cloudaudit and "Compliance reports" in the navigation.

Thin by design: the app lives in ``cloudaudit.portal``. Airflow does not authenticate plugin
routes; the portal does, on every route (see ``cloudaudit.portal.app``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from cloudaudit.portal.app import create_app


class CloudauditPortalPlugin(AirflowPlugin):
    name = "cloudaudit_portal"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": create_app(), "url_prefix": "/cloudaudit", "name": "cloudaudit reports"},
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [{
        "name": "Compliance reports",
        "href": "cloudaudit/",  # relative: resolved against the UI's base URL
        "url_route": "compliance-reports",
        "destination": "nav",
        "category": "browse",
    }]
