"""Reason codes (why a record was quarantined) and repair rule names, in one place."""

from ..ingest.raw import INVALID_JSON, INVALID_SCHEMA, LINE_TOO_LONG, NO_ANNOTATION
from .completeness import INCOMPLETE_ANNOTATION, PROPAGATE_LABEL  # completeness policy: quarantine / propagate
from ..ingest.offsets import OFFSETS_UNDECIDED, UTF16_OFFSETS  # Label Studio offsets, decided per task
from .drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE  # drift repair (drift.py)

EMPTY_TEXT = "empty_text"
TEXT_TOO_LONG = "text_too_long"
UNKNOWN_LABEL = "unknown_label"
SPAN_OUT_OF_BOUNDS = "span_out_of_bounds"  # also end <= start: the offsets name no text
SPAN_MISALIGNED = "span_misaligned"  # cuts a word / edge whitespace, and no allowed repair fixed it
SPAN_OVERLAP = "span_overlap"
SPAN_IMPLAUSIBLE = "span_implausible"  # on whole words but no plausible mention of its label (plausible.py), not repairable
DUPLICATE_TEXT = "duplicate_text"
DUPLICATE_ID = "duplicate_id"  # an id an earlier accepted record (this batch or the snapshot) already has
NO_ENTITIES = "no_entities"  # only when validation.require_entities
FILE_REJECTED = "file_rejected"  # added to every record of a file over the quarantine-rate limit
TOO_MANY_SPANS = "too_many_spans"  # more than validation.max_spans_per_record: not scanned further
# Size caps (validation.max_line_bytes, validation.max_file_bytes): see ingest/raw.py, validate/batch.py.
FILE_TOO_LARGE = "file_too_large"  # the whole file is rejected unread: object over max_file_bytes

REASONS = (
    INVALID_JSON, INVALID_SCHEMA, NO_ANNOTATION, EMPTY_TEXT, TEXT_TOO_LONG, UNKNOWN_LABEL,
    SPAN_OUT_OF_BOUNDS, SPAN_MISALIGNED, SPAN_IMPLAUSIBLE, SPAN_OVERLAP, DUPLICATE_TEXT, NO_ENTITIES, INCOMPLETE_ANNOTATION,
    FILE_REJECTED, DUPLICATE_ID, OFFSETS_UNDECIDED, LINE_TOO_LONG, TOO_MANY_SPANS, FILE_TOO_LARGE,
)

# Repair rules: the only changes the validator makes on its own.
TRIM_WHITESPACE = "trim_whitespace"
DROP_DUPLICATE_SPAN = "drop_duplicate_span"
REANCHOR = "reanchor"
STEM_EXTEND = "stem_extend"  # stem.py, labels in validation.stem_labels
RULES = (TRIM_WHITESPACE, DROP_DUPLICATE_SPAN, REANCHOR, PROPAGATE_LABEL, DRIFT_SURFACE, DRIFT_NEIGHBOURS, STEM_EXTEND,
         UTF16_OFFSETS)
