# Airflow image for docker-compose.yaml: Airflow 3 + the project's library (local CPU trainer
# included, so the `local` backend works in compose too). The GPU trainer image is separate:
# include/docker/Dockerfile.
# The base is a build argument so that `make compose-test` can build this same file on a local
# stand-in (tests/compose/local-images.Dockerfile); a normal build takes the official image.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}
# PyPI's torch is the CUDA build (GBs); this index has the CPU one. Empty: no extra index (a base
# whose pip already finds a CPU torch, as the compose test's does).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
USER airflow
COPY --chown=airflow:0 requirements.txt /opt/ner/requirements.txt
RUN pip install --no-cache-dir -r /opt/ner/requirements.txt \
      ${TORCH_INDEX_URL:+--extra-index-url "${TORCH_INDEX_URL}"}
COPY --chown=airflow:0 pyproject.toml /opt/ner/pyproject.toml
COPY --chown=airflow:0 include /opt/ner/include
RUN pip install --no-cache-dir --no-deps -e /opt/ner
ENV HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
