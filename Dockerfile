# cloudaudit on the official Airflow image: the pinned requirements and the package, nothing else.
# Build: docker build -t cloudaudit-airflow:local .   (docker compose builds it from docker-compose.yaml)
#
# The python3.11 variant of the 3.3.2 image: requirements.txt is resolved for Python 3.11
# (`uv pip compile --python-version 3.11`), so every pin installs exactly as in CI.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

ENV CLOUDAUDIT_HOME=/opt/cloudaudit
WORKDIR /opt/cloudaudit

# Dependencies first (their own layer, rebuilt only when the pins change). Pinning
# apache-airflow to the image's own version stops pip from up- or downgrading Airflow.
COPY --chown=airflow:0 requirements.txt ./
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r requirements.txt

# The package, editable so that include/config (inventory example, country policies) stays
# next to it where cloudaudit.config looks for it; --no-deps: everything is pinned above.
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 include/ ./include/
COPY --chown=airflow:0 dags/ ./dags/
COPY --chown=airflow:0 plugins/ ./plugins/
RUN pip install --no-cache-dir --no-deps -e . \
 && python -c "import cloudaudit, cloudaudit.pipeline" \
 && mkdir -p /opt/airflow/reports /opt/airflow/state

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/cloudaudit/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/cloudaudit/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    CLOUDAUDIT_OUTPUT=/opt/airflow/reports \
    CLOUDAUDIT_STATE=/opt/airflow/state \
    GX_ANALYTICS_ENABLED=false \
    TQDM_DISABLE=1
WORKDIR /opt/airflow
