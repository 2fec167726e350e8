"""The annotation loop: getting data in, getting rejected data fixed, labelling new transcripts.

- submit.py: `ner-pipeline submit`: validate locally as the DAG would, upload to incoming/
  under a content-hash name (idempotent), refuse what the DAG would reject.
- quarantine.py: `ner-pipeline export-quarantine`: quarantined records -> Label Studio tasks.
- preannotate.py: `ner-pipeline preannotate`: transcripts -> tasks with a model's predictions.
- labelstudio.py: the label config (include/config/labelstudio.xml) and the task format.

Label Studio exports come back through the ordinary readers (ingest/labelstudio.py): submit
them like any other file. Importing this package is light (no torch, no boto3, no GX).
"""
