"""Session-wide isolation: no test reads the developer's inventory, state or Airflow home."""

from __future__ import annotations

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="cloudaudit-tests-")
os.environ["AIRFLOW_HOME"] = os.path.join(_HOME, "airflow")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["TQDM_DISABLE"] = "1"
os.environ["CLOUDAUDIT_STATE"] = os.path.join(_HOME, "state")
os.environ["CLOUDAUDIT_OUTPUT"] = os.path.join(_HOME, "output")
for _name in ("CLOUDAUDIT_INVENTORY", "CLOUDAUDIT_SIGNING_KEY", "CLOUDAUDIT_SIGNING_KEY_GENERATE", "CLOUDAUDIT_SIGNING_CONN_ID",
              "AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)

# CI runs property tests with fixed seeds (a failure there must reproduce); locally they explore.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
