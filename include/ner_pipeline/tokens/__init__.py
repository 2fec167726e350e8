"""Token-level pieces shared by training and prediction (below both `train` and `evaluate`).

- align: words <-> sub-word tokens through character offsets (labels and decoding)
- windows: overlapping windows over long texts, and merging their predictions
- encoding: tokenize once, plan windows, label them (training features)
- decode: per-token predictions -> character spans (the stock pipeline's rule)
- inference: the window settings a model folder carries (ner_inference.json)

Pure Python plus a tokenizer passed in: nothing here imports torch or transformers.
"""
