"""The DAG's task bodies, as plain functions: each takes settings, small JSON inputs and,
optionally, the store to work against (the DAG's task builds it at run time; unit tests pass
tests/fakestore.py's), and returns a small JSON summary (what goes to XCom).

No transcript text ever leaves these functions except into the dataset snapshot and the
quarantine files, which are data. Heavy libraries are imported inside the functions. Every key
comes from layout.py; snapshots go through snapshots.SnapshotStore, promotion rules through
promotion.py.

    intake.py    0-3  generate_synthetic, discover, validate, build_snapshot
    model.py     4-5  train_local, evaluate (and the model-folder checks)
    release.py   6-7  gate, promote, record_rejection
    summary.py   8    report, format_summary
"""

from ..errors import StageError
from .intake import build_snapshot, discover, generate_synthetic, validate
from .model import check_model_dir, evaluate, train_local, train_output_uri
from .release import gate, promote, record_rejection
from .summary import format_summary, report

__all__ = ["StageError", "build_snapshot", "check_model_dir", "discover", "evaluate", "format_summary", "gate",
           "generate_synthetic", "promote", "record_rejection", "report", "train_local", "train_output_uri",
           "validate"]
