"""The Great Expectations suite over the accepted output (validate/table.py), kept in code.

Critical expectations restate the data contract on what reaches training (labels in the
set, offsets inside the text and end > start, whole-word spans, no overlaps, unique text
hashes, text length) and should never fail: a failure means a bug let bad data through.
Warnings are properties worth a look but not a stop: labels with little or no support,
unlabelled repeats of labelled mentions, and label-distribution drift against the last
accepted snapshot. A second table, one row per convention two sources both measure
(validate/conventions_check.py), has its own suite: a warning per convention conflict.

great_expectations is imported inside functions only (it costs seconds; the DAG file must
parse without it). Result formats keep partial lists short, and since the table has no text
column, what GX stores, renders or logs can only be ids, offsets, labels and hashes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from ..records import LABELS

log = logging.getLogger(__name__)

SUITE_NAME = "ner_accepted_records"
DOCS_SITE = "ner_validation"
GX_RESULT_FILE = "gx_validation_result.json"
GX_CONVENTIONS_RESULT_FILE = "gx_conventions_result.json"
# The per-source conventions table (validate/conventions_check.py): one row per compared convention.
CONVENTIONS_SUITE = "ner_source_conventions"
CONVENTION_COLUMN = "convention_diff"
CONVENTIONS_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20,
                             "unexpected_index_column_names": ["convention_key"], "include_unexpected_rows": False}
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 20,
    "unexpected_index_column_names": ["record_id"],
    "include_unexpected_rows": False,
}


def label_partition(counts: dict[str, int]) -> dict[str, list]:
    """Categorical partition over all labels from a snapshot's counts. Add-one smoothing keeps
    every expected weight positive, so a label absent last time gives a finite divergence."""
    weights = [max(int(counts.get(lab, 0) or 0), 0) + 1 for lab in LABELS]
    total = sum(weights)
    return {"values": list(LABELS), "weights": [w / total for w in weights]}


def build_expectations(settings: Any, previous_label_counts: dict[str, int] | None) -> list:
    import great_expectations.expectations as gxe

    vs = settings.validation
    min_support = settings.gate.min_support
    crit: list = [
        gxe.ExpectColumnValuesToBeInSet(column="label", value_set=list(LABELS)),
        gxe.ExpectColumnValuesToBeBetween(column="start", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start", or_equal=False,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="text_len", column_B="end", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnValuesToBeInSet(column="aligned", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="overlaps_previous", value_set=[False]),
        gxe.ExpectColumnValuesToBeUnique(column="text_hash"),
        gxe.ExpectColumnValuesToBeBetween(column="text_len", min_value=1, max_value=vs.max_text_chars),
    ]
    if vs.require_entities:
        crit.append(gxe.ExpectColumnValuesToBeBetween(column="n_entities", min_value=1))
    warn: list = [
        gxe.ExpectColumnDistinctValuesToContainSet(column="label", value_set=list(LABELS), severity="warning"),
        gxe.ExpectColumnValuesToBeBetween(column="label_support", min_value=min_support, severity="warning"),
        # Unlabelled repeats left in accepted records (completeness.py): the result's
        # unexpected_count is their number, partial_unexpected_counts their count per label.
        gxe.ExpectColumnValuesToBeNull(column="incomplete_label", severity="warning"),
    ]
    if previous_label_counts and sum(previous_label_counts.values()) > 0:
        warn.append(gxe.ExpectColumnKLDivergenceToBeLessThan(
            column="label", partition_object=label_partition(previous_label_counts),
            threshold=vs.drift_limit, severity="warning"))
    return crit + warn


def conventions_expectation(settings: Any) -> Any:
    """Warning: two sources' rates of one convention differ by less than the conflict threshold."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeBetween(column=CONVENTION_COLUMN, min_value=0,
                                             max_value=settings.validation.convention_conflict_min_diff,
                                             strict_max=True, severity="warning")


def run_suite(frame: Any, settings: Any, *, previous_label_counts: dict[str, int] | None = None,
              docs_dir: Path | None = None, run_id: str = "local", conventions_frame: Any = None) -> dict[str, Any]:
    """Validate the frame (and the per-source conventions table, when given: its own asset and
    suite, in the same Data Docs); build Data Docs into docs_dir when given. Returns a summary
    with counts, percentages and numeric observations only (no value lists)."""
    gx_log = logging.getLogger("great_expectations")
    level = gx_log.level
    if gx_log.getEffectiveLevel() < logging.WARNING:
        gx_log.setLevel(logging.WARNING)  # its INFO lines are import-time chatter, not run facts
    try:
        return _run(frame, settings, previous_label_counts, docs_dir, run_id, conventions_frame)
    finally:
        gx_log.setLevel(level)


def _context(docs_dir: Path | None) -> Any:
    """Ephemeral context with no temporary docs site (the default one litters /tmp), no
    progress bars, and our site when Data Docs are wanted."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    sites = {}
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        }
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               data_docs_sites=sites, analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False))
    return gx.get_context(mode="ephemeral", project_config=config)


def _run(frame: Any, settings: Any, previous_label_counts: dict[str, int] | None, docs_dir: Path | None,
         run_id: str, conventions_frame: Any = None) -> dict[str, Any]:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    ctx = _context(docs_dir)
    batch_def = (ctx.data_sources.add_pandas("ner_pipeline").add_dataframe_asset("accepted_records")
                 .add_batch_definition_whole_dataframe("whole_run"))
    suite = ctx.suites.add(gx.ExpectationSuite(name=SUITE_NAME))
    drift_checked = False
    n_spans = int(frame["label"].notna().sum())
    for exp in build_expectations(settings, previous_label_counts if n_spans else None):
        suite.add_expectation(exp)
        drift_checked |= exp.expectation_type == "expect_column_kl_divergence_to_be_less_than"
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=batch_def, suite=suite, name=f"validate_{run_id}"))
    result = vd.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT,
                    run_id=RunIdentifier(run_name=run_id))
    results = [result]
    if conventions_frame is not None:
        conv_batch = (ctx.data_sources.add_pandas("ner_conventions").add_dataframe_asset("source_conventions")
                      .add_batch_definition_whole_dataframe("whole_run"))
        conv_suite = ctx.suites.add(gx.ExpectationSuite(name=CONVENTIONS_SUITE))
        conv_suite.add_expectation(conventions_expectation(settings))
        conv_vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=conv_batch, suite=conv_suite,
                                                                         name=f"conventions_{run_id}"))
        results.append(conv_vd.run(batch_parameters={"dataframe": conventions_frame},
                                   result_format=CONVENTIONS_RESULT_FORMAT, run_id=RunIdentifier(run_name=run_id)))
    if docs_dir is not None:
        ctx.build_data_docs(site_names=[DOCS_SITE])
        # The raw GX result beside the docs: record ids and offsets of any unexpected rows.
        (Path(docs_dir) / GX_RESULT_FILE).write_text(json.dumps(result.to_json_dict(), indent=1, default=str))
        if len(results) > 1:
            (Path(docs_dir) / GX_CONVENTIONS_RESULT_FILE).write_text(
                json.dumps(results[1].to_json_dict(), indent=1, default=str))
    summary = summarize(*results)
    summary["rows"] = {"records": int(frame["text_hash"].notna().sum()), "spans": n_spans}
    if conventions_frame is not None:
        summary["rows"]["conventions"] = len(conventions_frame)
    summary["data_docs"] = {"index": "index.html", "result": GX_RESULT_FILE} if docs_dir is not None else None
    summary["drift_checked"] = drift_checked
    return summary


def summarize(*validation_results: Any) -> dict[str, Any]:
    items = []
    for r in (r for result in validation_results for r in result.results):
        cfg = r.expectation_config
        kw = cfg.kwargs
        res = r.result or {}
        item: dict[str, Any] = {
            "expectation": cfg.type,
            "column": kw.get("column") or f"{kw.get('column_A')},{kw.get('column_B')}",
            "severity": getattr(cfg.severity, "value", str(cfg.severity)),
            "success": bool(r.success),
        }
        if "unexpected_count" in res:
            item["unexpected_count"] = int(res["unexpected_count"] or 0)
            item["unexpected_percent"] = round(float(res.get("unexpected_percent") or 0.0), 4)
            item["element_count"] = int(res.get("element_count") or 0)
        obs = res.get("observed_value")
        if isinstance(obs, (int, float)) and not isinstance(obs, bool):
            item["observed_value"] = round(float(obs), 6)
        if r.exception_info and r.exception_info.get("raised_exception"):
            item["error"] = True  # type only, in the log; GX messages are not copied here
            log.error("GX expectation %s on %s raised an exception", cfg.type, item["column"])
        items.append(item)
    critical_ok = all(i["success"] for i in items if i["severity"] == "critical")
    return {
        "success": critical_ok,
        "all_passed": all(i["success"] for i in items),
        "evaluated": len(items),
        "failed_critical": [f"{i['expectation']}:{i['column']}" for i in items if not i["success"] and i["severity"] == "critical"],
        "warnings": [f"{i['expectation']}:{i['column']}" for i in items if not i["success"] and i["severity"] != "critical"],
        "expectations": items,
    }
