"""The trainer: `ner-pipeline train` (commands.py -> job.py) and the pieces it is built from.

- model_loading: base-model specs (packaged:, folder, s3://, hub id, tiny:, scratch:)
- selection: which records of the train split are trained on
- dataset: the train split as memory-mapped Arrow (`datasets`), windows made by .map
- trainer: the transformers Trainer set-up; batching: length-grouped batches and padding;
  callbacks: throughput/logging; outputs: the files of a run
Token-level pieces (alignment, windows, encoding, decoding) live in tokens/, validation
scores in metrics.py, device and precision in runtime.py: prediction shares them.

Importing this package is cheap: torch, transformers and datasets load only when training starts.
"""
