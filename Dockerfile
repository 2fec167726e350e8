# Airflow image for docker-compose.yaml: Airflow 3 + the project's library (local CPU trainer
# included, so the `local` backend works in compose too). The GPU trainer image is separate:
# include/docker/Dockerfile.
FROM apache/airflow:3.3.2-python3.11
USER airflow
COPY --chown=airflow:0 requirements.txt /opt/ner/requirements.txt
RUN pip install --no-cache-dir -r /opt/ner/requirements.txt \
      --extra-index-url https://download.pytorch.org/whl/cpu
COPY --chown=airflow:0 pyproject.toml /opt/ner/pyproject.toml
COPY --chown=airflow:0 include /opt/ner/include
RUN pip install --no-cache-dir --no-deps -e /opt/ner
ENV HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
