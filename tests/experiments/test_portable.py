"""`experiment pack` / `restore` on a hand-made run folder (the whole round trip on a real run is in
tests/reliability/test_crash_safety.py)."""

from __future__ import annotations

import json

import pytest

from traitrl.errors import WeightsDroppedError
from traitrl.evals.evaluator import spec_fingerprint
from traitrl.experiments.portable import pack_run, restore_run
from traitrl.models.loading import resolve_model_path


def _stage(root, name, files):
    for rel, data in files.items():
        (root / name / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / name / rel).write_bytes(data)
    return root / name


def test_pack_keeps_results_and_configs_drops_weights_and_checkpoints(tmp_path):
    stages = tmp_path / "run" / "stages"
    done = _stage(stages, "finetune-trait-abc", {
        "DONE.json": b"{}", "items.jsonl": b'{"score": 1}\n',
        "start/config.json": b'{"model_type": "llama"}', "start/model.safetensors": b"\0" * 4096,
        "dose-10/adapter_config.json": b'{"base_model_name_or_path": "../start"}',
        "dose-10/adapter_model.safetensors": b"\1" * 4096,
        "checkpoints/checkpoint-1/optimizer.pt": b"\2" * 4096, "checkpoints/checkpoint-1/trainer_state.json": b"{}"})
    _stage(stages, "eval-base-def.partial", {"items.jsonl": b"{}\n"})  # unfinished: not packed
    want = {"start": spec_fingerprint(str(done / "start")), "dose-10": spec_fingerprint(str(done / "dose-10"))}

    summary = pack_run(tmp_path / "run", tmp_path / "packed")

    packed = tmp_path / "packed" / "stages" / "finetune-trait-abc"
    assert summary.stages == 1 and summary.models == 2
    assert sorted(p.name for p in (tmp_path / "packed" / "stages").iterdir()) == ["finetune-trait-abc"]
    assert (packed / "items.jsonl").read_bytes() == b'{"score": 1}\n' and (packed / "start" / "config.json").exists()
    assert not list(packed.rglob("*.safetensors")) and not (packed / "checkpoints").exists()
    assert json.loads((packed / "packed.json").read_text())["left_out"] == [
        "checkpoints", "dose-10/adapter_model.safetensors", "start/model.safetensors"]
    for folder, fingerprint in want.items():  # stages keyed by these models keep their keys
        assert spec_fingerprint(str(packed / folder)) == fingerprint
    with pytest.raises(WeightsDroppedError, match="weights were dropped"):
        resolve_model_path(str(packed / "dose-10"))


def test_large_item_files_travel_gzipped_and_come_back_whole(tmp_path):
    rows = b"".join(b'{"item_id": "%d", "response": "a reply of some length"}\n' % i for i in range(5000))
    _stage(tmp_path / "run" / "stages", "eval-base-1", {"DONE.json": b"{}", "items.jsonl": rows})
    pack_run(tmp_path / "run", tmp_path / "packed")
    packed = tmp_path / "packed" / "stages" / "eval-base-1"
    assert not (packed / "items.jsonl").exists() and (packed / "items.jsonl.gz").stat().st_size < len(rows) / 4
    restore_run(tmp_path / "packed", tmp_path / "new")
    restored = tmp_path / "new" / "stages" / "eval-base-1"
    assert (restored / "items.jsonl").read_bytes() == rows and not (restored / "items.jsonl.gz").exists()


def test_restore_adds_only_whole_stages_the_run_lacks(tmp_path):
    packed = tmp_path / "packed" / "stages"
    _stage(packed, "eval-a-1", {"DONE.json": b"{}", "packed.json": b"{}", "items.jsonl": b"a\n"})
    _stage(packed, "eval-b-2", {"DONE.json": b"{}", "items.jsonl": b"b\n"})  # a pack killed before packed.json
    _stage(packed, "eval-c-3.packing", {"DONE.json": b"{}", "packed.json": b"{}"})
    _stage(packed, "eval-d-4", {"DONE.json": b"{}", "packed.json": b"{}", "items.jsonl": b"packed\n"})
    _stage(tmp_path / "run" / "stages", "eval-d-4", {"DONE.json": b"{}", "items.jsonl": b"mine\n"})

    assert restore_run(tmp_path / "packed", tmp_path / "run") == ["eval-a-1"]
    assert (tmp_path / "run" / "stages" / "eval-d-4" / "items.jsonl").read_bytes() == b"mine\n"
    assert sorted(p.name for p in (tmp_path / "run" / "stages").iterdir()) == ["eval-a-1", "eval-d-4"]


def test_a_dose_arms_stage_with_dots_in_its_label_is_packed_and_restored(tmp_path):
    stages = tmp_path / "run" / "stages"
    _stage(stages, "eval-trait@0.05@s0-abc", {"DONE.json": b"{}", "items.jsonl": b'{"score": 1}\n'})
    _stage(stages, "eval-trait@0.05@s1-def.partial", {"items.jsonl": b"{}\n"})  # unfinished: not packed
    assert pack_run(tmp_path / "run", tmp_path / "packed").stages == 1
    assert [p.name for p in (tmp_path / "packed" / "stages").iterdir()] == ["eval-trait@0.05@s0-abc"]
    assert restore_run(tmp_path / "packed", tmp_path / "new") == ["eval-trait@0.05@s0-abc"]
    assert (tmp_path / "new" / "stages" / "eval-trait@0.05@s0-abc" / "items.jsonl").read_bytes() == b'{"score": 1}\n'
