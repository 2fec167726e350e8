"""`ner-pipeline config show` and how the CLI reports bad settings (one line each, no traceback)."""

from __future__ import annotations

import json

import pytest

from ner_pipeline.cli import main


@pytest.fixture(autouse=True)
def _no_ner_env(monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("NER")]:
        monkeypatch.delenv(name)


def show(capsys, *argv: str) -> dict:
    assert main(["config", "show", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_show_names_the_source_of_every_value(capsys, monkeypatch):
    monkeypatch.setenv("NER__GATE__MIN_SUPPORT", "12")
    rows = show(capsys, "--profile", "gpu", "--set", "training.epochs=2")
    assert rows["profile"] == {"value": "gpu", "source": "--profile"}
    assert rows["training.epochs"] == {"value": 2.0, "source": "--set"}
    assert rows["training.learning_rate"] == {"value": 2e-5, "source": "profile gpu"}
    assert rows["gate.min_support"] == {"value": 12, "source": "env NER__GATE__MIN_SUPPORT"}
    assert rows["gate.labels.NAME.min_f1"] == {"value": 0.8, "source": "default"}
    assert rows["validation.label_mapping"] == {"value": {}, "source": "default"}


def test_show_default_profile_and_text_form(capsys, monkeypatch):
    monkeypatch.setenv("NER_PROFILE", "production")
    assert show(capsys)["profile"] == {"value": "production", "source": "env NER_PROFILE"}
    monkeypatch.delenv("NER_PROFILE")
    assert main(["config", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["profile", '"local"', "default"]
    assert any(ln.split() == ["training.max_length", "512", "profile", "local"] for ln in lines)


def test_unknown_profile_fails_naming_the_profiles(capsys):
    assert main(["config", "show", "--profile", "prod"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "ner-pipeline: unknown profile 'prod': the profiles are gpu, local, production"


def test_invalid_settings_print_one_line_per_field(capsys):
    assert main(["config", "show", "--set", "training.epochs=abc", "--set", "gate.min_support=x"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "ner-pipeline: invalid settings:"
    assert len(err) == 3 and "Traceback" not in "\n".join(err)
    assert err[1].startswith("  training.epochs = 'abc': ") and err[1].endswith("(from --set)")
    assert err[2].startswith("  gate.min_support = 'x': ")
