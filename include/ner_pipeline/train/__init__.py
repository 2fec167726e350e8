"""The trainer: `ner-pipeline train` (commands.py -> job.py) and the pieces it is built from.

- model_loading: base-model specs (packaged:, folder, s3://, hub id, tiny:, scratch:)
- align / windows: pure offset and window arithmetic (labels and predictions share them)
- encoding: tokenization into windows (snapshots.load_snapshot reads the dataset)
- dataset: the train split as memory-mapped Arrow (`datasets`), windows made by .map
- trainer: the transformers Trainer set-up; batching: length-grouped batches and padding;
  callbacks: throughput/logging; outputs: the files of a run; runtime: device/seeds/versions

Importing this package is cheap: torch, transformers and datasets load only when training starts.
"""
