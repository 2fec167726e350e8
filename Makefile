# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | sha1sum | cut -c1-12)

export AIRFLOW_HOME ?= $(CURDIR)/.local/airflow
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-e2e compose-test up down store bench clean help

help:
	@echo "make run    - start the local object store and run the ner_retraining DAG once"
	@echo "make test   - run the test suite"
	@echo "make up     - Airflow UI on 127.0.0.1:8080 with the local store (make down stops both)"
	@echo "make bench  - benchmarks (print figures; not tests)"
	@echo "make compose-test - build and start docker-compose.yaml and the trainer image for real (root)"

# The venv is (re)built when the pinned requirements change. torch==2.13.0 is a CPU build.
$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/ner-pipeline local-run

test: $(STAMP)
	$(BIN)/python -m pytest

# Browser test (headless Chromium from Debian's packages; several minutes, so not in `make test`).
test-e2e: $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)
	NER_E2E=1 $(BIN)/python -m pytest -m e2e tests/e2e

# docker-compose.yaml, ./Dockerfile and include/docker/Dockerfile built and started for real, on local
# stand-ins for the official bases (tests/compose/). Needs root; installs Debian's docker.io,
# docker-compose and debootstrap when missing. Not in `make test`: it takes many minutes.
# dockerd, debootstrap and what they call (containerd, iptables, chroot) live in sbin, which a
# plain user's PATH may lack.
compose-test: export PATH := $(PATH):/usr/local/sbin:/usr/sbin:/sbin
compose-test: $(STAMP)
	@command -v dockerd >/dev/null && command -v docker-compose >/dev/null && command -v debootstrap >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null)
	NER_COMPOSE=1 $(BIN)/python -m pytest -m compose tests/compose -s -v

store: $(STAMP)
	$(BIN)/ner-pipeline store up

up: $(STAMP)
	$(BIN)/ner-pipeline store up
	$(BIN)/ner-pipeline ui

# Stops only what this checkout started (pid files checked against the command line), never by name.
down:
	-@test -x $(BIN)/ner-pipeline && $(BIN)/ner-pipeline ui --stop
	-@test -x $(BIN)/ner-pipeline && $(BIN)/ner-pipeline store down

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_train.py --mode both
	$(BIN)/python bench/train_throughput.py
	$(BIN)/python benchmarks/bench_load.py

clean: down
	rm -rf .local
