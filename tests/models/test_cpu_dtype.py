"""The CPU compute type is chosen by timing both types once per machine, kept in the cache, and overridable."""

from __future__ import annotations

import json

import pytest
import torch

from traitrl.errors import ConfigError
from traitrl.models import cpu_dtype
from traitrl.models.cpu_dtype import choose, cpu_compute_dtype, probe


@pytest.fixture
def fresh_probe(isolated_cache, monkeypatch):
    monkeypatch.delenv("TRAITRL_DTYPE", raising=False)
    return isolated_cache


def test_bf16_only_when_clearly_faster_at_every_shape():
    fast = {"decode": {"float32": 3.0, "bfloat16": 1.0}, "prefill": {"float32": 4.0, "bfloat16": 1.0}}
    assert choose(fast) == "bfloat16"
    small_gain = {"decode": {"float32": 3.0, "bfloat16": 1.0}, "prefill": {"float32": 1.1, "bfloat16": 1.0}}
    assert choose(small_gain) == "float32"  # 1.1x at prefill is under BF16_MIN_SPEEDUP
    emulated = {"decode": {"float32": 0.001, "bfloat16": 0.1}}  # AVX2: the prefill shape is never timed
    assert choose(emulated) == "float32"
    assert choose({}) == "float32"


def test_measured_once_then_read_back(fresh_probe, monkeypatch):
    record = probe()
    path = next((fresh_probe / "machine").glob("dtype-*.json"))
    assert json.loads(path.read_text())["dtype"] == record["dtype"] == choose(record["seconds"])
    assert all(t > 0 for shape in record["seconds"].values() for t in shape.values())
    assert cpu_compute_dtype() == getattr(torch, record["dtype"])

    cpu_dtype._probe_at.cache_clear()  # a new process: the record is read back, not measured again
    monkeypatch.setattr(cpu_dtype, "measure", lambda: pytest.fail("measured again despite the cached record"))
    assert probe() == json.loads(path.read_text())


def test_each_cache_folder_gets_its_record(fresh_probe, tmp_path, monkeypatch):
    timings = {"decode": {"float32": 1.0, "bfloat16": 0.5}, "prefill": {"float32": 1.0, "bfloat16": 0.5}}
    monkeypatch.setattr(cpu_dtype, "measure", lambda: timings)
    assert probe()["seconds"] == timings
    monkeypatch.setenv("TRAITRL_CACHE", str(tmp_path / "other"))
    assert probe()["dtype"] == "bfloat16"
    assert list((tmp_path / "other" / "machine").glob("dtype-*.json"))  # written into the new cache too


def test_the_first_record_written_wins(fresh_probe, monkeypatch):
    """Two processes measuring at once: the later one adopts the record already in place."""
    from traitrl.settings import cache_dir

    path = cache_dir() / "machine" / f"dtype-{cpu_dtype._machine_key()}.json"
    first = {"dtype": "float32", "seconds": {"decode": {"float32": 1.0, "bfloat16": 0.9}}}

    def measure_while_another_writes():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(first))
        return {"decode": {"float32": 1.0, "bfloat16": 0.1}, "prefill": {"float32": 1.0, "bfloat16": 0.1}}

    monkeypatch.setattr(cpu_dtype, "measure", measure_while_another_writes)
    assert probe() == first
    assert json.loads(path.read_text()) == first


@pytest.mark.parametrize("bad", ["{not json", '{"dtype": "float16"}', "[]"])
def test_a_corrupt_record_is_measured_again(fresh_probe, monkeypatch, bad):
    folder = fresh_probe / "machine"
    folder.mkdir()
    (folder / f"dtype-{cpu_dtype._machine_key()}.json").write_text(bad)
    timings = {"decode": {"float32": 1.0, "bfloat16": 0.1}, "prefill": {"float32": 1.0, "bfloat16": 0.1}}
    monkeypatch.setattr(cpu_dtype, "measure", lambda: timings)
    assert probe()["dtype"] == "bfloat16"
    assert cpu_compute_dtype() == torch.bfloat16


def test_the_override_wins_and_a_bad_one_is_named(fresh_probe, monkeypatch):
    from traitrl.models.loading import default_dtype

    monkeypatch.setattr(cpu_dtype, "measure", lambda: pytest.fail("an override must not measure"))
    monkeypatch.setenv("TRAITRL_DTYPE", "float32")
    assert cpu_compute_dtype() == torch.float32
    if not torch.cuda.is_available():
        assert default_dtype() == torch.float32
    monkeypatch.setenv("TRAITRL_DTYPE", "bfloat16")
    assert cpu_compute_dtype() == torch.bfloat16
    monkeypatch.setenv("TRAITRL_DTYPE", "bf16")
    with pytest.raises(ConfigError, match="TRAITRL_DTYPE: expected one of bfloat16, float32, got 'bf16'"):
        cpu_compute_dtype()


def test_an_override_is_another_model_to_the_result_cache(monkeypatch):
    """`--dtype auto` under TRAITRL_DTYPE must not share cached scores with the measured default."""
    from traitrl.evals.evaluator import _Model

    monkeypatch.delenv("TRAITRL_DTYPE", raising=False)
    plain = _Model("embedded").fingerprint
    monkeypatch.setenv("TRAITRL_DTYPE", "float32")
    assert _Model("embedded").fingerprint == f"{plain}+float32" == _Model("embedded", dtype="float32").fingerprint
