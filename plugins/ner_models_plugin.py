"""Airflow 3 plugin: the "NER models" pages (registry, runs, versions) inside the Airflow UI.

Thin on purpose: the app lives in include/ner_pipeline/ui. Building it is cheap (no settings,
network or object-store access until a request comes in), so every Airflow component that
loads plugins can import this file.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from ner_pipeline.ui import create_app

URL_PREFIX = "/ner"


class NerModelsPlugin(AirflowPlugin):
    name = "ner_models"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "NER models"}]
    # Shown inside the Airflow UI (iframe); hrefs are relative to Airflow's base URL.
    external_views = [
        {"name": "NER models", "href": "ner/", "destination": "nav", "url_route": "ner-models"},
        # A tab on every DAG run; pages of runs that are not NER pipeline runs say so.
        {"name": "NER models", "href": "ner/runs/{RUN_ID}", "destination": "dag_run", "url_route": "ner-run"},
    ]
