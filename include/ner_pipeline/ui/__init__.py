"""The "NER models" pages of the Airflow UI: a read-only FastAPI app over the model registry.

`create_app()` builds the app that plugins/ner_models_plugin.py mounts under /ner.
"""

from .app import create_app

__all__ = ["create_app"]
