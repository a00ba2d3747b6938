"""The auditors' portal: published reports by country and date, behind Airflow's own login.

Mounted into the Airflow api-server by ``plugins/cloudaudit_portal.py`` at ``/cloudaudit``.
It reads only published outputs (``CLOUDAUDIT_OUTPUT``), never snapshots, and every route
checks the caller's per-country access (``access.py``) before it touches a file.
"""
