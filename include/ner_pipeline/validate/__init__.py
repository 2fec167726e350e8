"""Validation: record checks and repairs, quarantine, the GX suite and Data Docs.

Importing this package is cheap (no pandas, no great_expectations): those load inside
BatchValidator.finish() only.
"""

from .batch import BatchValidator, Oversized, ValidationOutcome, validate_batch
from .checks import check_record
from .reasons import REASONS, RULES

__all__ = ["BatchValidator", "Oversized", "REASONS", "RULES", "ValidationOutcome", "check_record", "validate_batch"]
