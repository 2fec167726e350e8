"""Child-helpline NER retraining: the domain library behind the `ner_retraining` DAG.

Plain Python, importable without Airflow. Heavy dependencies (torch, transformers,
great_expectations) are imported inside the functions that need them.
"""

__version__ = "0.1.0"
