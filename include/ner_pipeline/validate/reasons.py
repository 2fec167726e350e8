"""Reason codes (why a record was quarantined) and repair rule names, in one place."""

from ..ingest.raw import INVALID_JSON, INVALID_SCHEMA, NO_ANNOTATION
from .completeness import INCOMPLETE_ANNOTATION, PROPAGATE_LABEL  # completeness policy: quarantine / propagate

EMPTY_TEXT = "empty_text"
TEXT_TOO_LONG = "text_too_long"
UNKNOWN_LABEL = "unknown_label"
SPAN_OUT_OF_BOUNDS = "span_out_of_bounds"  # also end <= start: the offsets name no text
SPAN_MISALIGNED = "span_misaligned"  # cuts a word / edge whitespace, and no allowed repair fixed it
SPAN_OVERLAP = "span_overlap"
DUPLICATE_TEXT = "duplicate_text"
NO_ENTITIES = "no_entities"  # only when validation.require_entities
FILE_REJECTED = "file_rejected"  # added to every record of a file over the quarantine-rate limit

REASONS = (
    INVALID_JSON, INVALID_SCHEMA, NO_ANNOTATION, EMPTY_TEXT, TEXT_TOO_LONG, UNKNOWN_LABEL,
    SPAN_OUT_OF_BOUNDS, SPAN_MISALIGNED, SPAN_OVERLAP, DUPLICATE_TEXT, NO_ENTITIES, INCOMPLETE_ANNOTATION,
    FILE_REJECTED,
)

# Repair rules: the only changes the validator makes on its own.
TRIM_WHITESPACE = "trim_whitespace"
DROP_DUPLICATE_SPAN = "drop_duplicate_span"
REANCHOR = "reanchor"
RULES = (TRIM_WHITESPACE, DROP_DUPLICATE_SPAN, REANCHOR, PROPAGATE_LABEL)
