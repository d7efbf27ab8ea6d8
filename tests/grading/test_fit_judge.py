"""Fitting the learned judge: an interrupted fit resumes after its last finished epoch and ends where an
uninterrupted fit ends."""

from __future__ import annotations

import pytest

from traitrl.errors import InputError
from traitrl.grading import gold as gold_mod
from traitrl.grading.learned import fit


def small_gold() -> gold_mod.GoldSet:
    """Three fit scenarios (different traits and domains) and one dev scenario, four replies each."""
    full = gold_mod.load_gold()
    chosen: dict[str, list[str]] = {"fit": [], "dev": []}
    traits, domains = set(), set()
    for sid, s in sorted(full.scenarios.items()):
        split = s.meta["gold_split"]
        want = {"fit": 3, "dev": 1}.get(split, 0)
        if len(chosen.get(split, [])) < want and s.trait not in traits and s.domain not in domains:
            chosen[split].append(sid)
            traits.add(s.trait)
            domains.add(s.domain)
    keep = {sid for ids in chosen.values() for sid in ids}
    replies = {}
    for rid, r in sorted(full.replies.items()):
        if r.scenario_id in keep and sum(x.scenario_id == r.scenario_id for x in replies.values()) < 4:
            replies[rid] = r
    gold = full.gold_verdicts()
    verdicts = [v for v in full.verdicts if v.reply_id in replies and (v.reply_id, v.item) in gold]
    return gold_mod.GoldSet({sid: full.scenarios[sid] for sid in keep}, replies, verdicts)


def weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "reader.safetensors"))


def test_an_interrupted_fit_resumes_and_ends_where_an_uninterrupted_one_does(tmp_path, monkeypatch, capsys):
    import torch

    from traitrl.grading.learned.model import ReaderConfig

    gold = small_gold()
    config = ReaderConfig(rank=4, alpha=8.0, reply_length=True)
    kwargs = {"epochs": 2, "batch_size": 4, "config": config, "progress": True}
    fit.fit_judge(gold, tmp_path / "whole", **kwargs)

    calls = {"n": 0}
    real = fit.length_batches

    def stop_in_second_epoch(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(fit, "length_batches", stop_in_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        fit.fit_judge(gold, tmp_path / "cut", **kwargs)
    checkpoint = tmp_path / "cut" / "fit-checkpoint.pt"
    assert torch.load(checkpoint, weights_only=False)["epoch"] == 1
    assert not (tmp_path / "cut" / "reader.safetensors").exists()
    assert fit._resume(checkpoint, {"another": "fit"}, None, None, None, None, []) == 0

    monkeypatch.setattr(fit, "length_batches", real)
    capsys.readouterr()
    meta = fit.fit_judge(gold, tmp_path / "cut", **kwargs)
    assert "resumed after epoch 1" in capsys.readouterr().out
    assert not checkpoint.exists()
    assert [h["epoch"] for h in meta["fit"]["history"]] == [1, 2]
    assert meta["fit"]["epoch_seconds"] == sum(h["seconds"] for h in meta["fit"]["history"])  # both sessions
    whole, resumed = weights(tmp_path / "whole"), weights(tmp_path / "cut")
    assert whole.keys() == resumed.keys()
    assert all(torch.allclose(whole[k].float(), resumed[k].float(), atol=1e-3) for k in whole)
    assert any(resumed[k].abs().sum() > 0 for k in resumed if "lora_b" in k)  # it trained


def test_an_ensemble_judge_reads_the_mean_of_its_readers_logits(tmp_path):
    import json
    import shutil

    from traitrl.errors import ModelLoadError
    from traitrl.grading.learned.judge import LearnedJudge, judge_name
    from traitrl.grading.learned.model import ReaderConfig

    gold = small_gold()
    config = ReaderConfig(rank=4, alpha=8.0, reply_length=True)
    for seed in (0, 1):
        fit.fit_judge(gold, tmp_path / f"r{seed}", epochs=1, batch_size=4, seed=seed, config=config, progress=False)
    meta = fit.ensemble_judge(gold, tmp_path / "both", [tmp_path / "r0", tmp_path / "r1"], progress=False)
    assert meta["members"] == ["m0", "m1"] and meta["calibration_fit"]["split"] == "dev"
    assert [m["fit"]["seed"] for m in meta["ensemble"]] == [0, 1]

    rows = gold.labelled_replies()
    scenarios, texts = [s for s, _, _ in rows], [r.text for _, r, _ in rows]
    one, two = (LearnedJudge._build(tmp_path / f"r{seed}").logits(scenarios, texts) for seed in (0, 1))
    both = LearnedJudge._build(tmp_path / "both")
    assert len(both.readers) == 2
    mean = [[(a + b) / 2 for a, b in zip(x, y, strict=True)] for x, y in zip(one, two, strict=True)]
    got = both.logits(scenarios, texts)
    assert max(abs(a - b) for x, y in zip(got, mean, strict=True) for a, b in zip(x, y, strict=True)) < 1e-4
    assert max(abs(a - b) for x, y in zip(one, two, strict=True) for a, b in zip(x, y, strict=True)) > 1e-3
    assert len({judge_name(tmp_path / "r0"), judge_name(tmp_path / "r1"), judge_name(tmp_path / "both")}) == 3
    from traitrl.grading.learned.judge import reply_context
    from traitrl.grading.learned.pretrained import load_reader

    as_rows = [(reply_context(s), r.text, [i.criterion for i in s.rubric], [i.points for i in s.rubric], v)
               for s, r, v in rows]
    reader, tokenizer = load_reader(config)
    cache = fit.cache_reply_states(reader, tokenizer, as_rows)
    taught = fit.teacher_logits(tmp_path / "both", config, tokenizer, cache, as_rows)  # as the ensemble judge reads
    assert max(abs(a - b) for x, y in zip(taught, got, strict=True) for a, b in zip(x, y, strict=True)) < 0.05

    with pytest.raises(InputError, match="not a single fitted reader"):
        fit.ensemble_judge(gold, tmp_path / "nested", [tmp_path / "r0", tmp_path / "both"], progress=False)
    assert not (tmp_path / "nested").exists()  # every member is checked before anything is copied
    shutil.copytree(tmp_path / "both", tmp_path / "mixed")
    member = tmp_path / "mixed" / "m1" / "reader.json"
    data = json.loads(member.read_text())
    data["config"]["max_context_tokens"] = 32
    member.write_text(json.dumps(data))
    assert judge_name(tmp_path / "mixed") != judge_name(tmp_path / "both")  # the name covers every member
    with pytest.raises(ModelLoadError, match="members read replies differently"):
        LearnedJudge._build(tmp_path / "mixed")


def test_distillation_targets_move_labels_towards_the_teacher_and_take_it_whole_where_unlabelled():
    import math

    rows = [("c", "r", ["a", "b"], [5.0, -3.0], [True, False]), ("c", "r2", ["a"], [5.0], [])]
    assert fit.fit_targets(rows, None, 0.5)[0] == [1.0, 0.0]
    got = fit.fit_targets(rows, [[0.0, 2.0], [-1.0]], 0.5)
    want = [[0.75, 0.5 / (1 + math.exp(-2.0))], [1 / (1 + math.exp(1.0))]]
    assert all(abs(a - b) < 1e-9 for x, y in zip(got, want, strict=True) for a, b in zip(x, y, strict=True))


def test_partial_replies_are_unlabelled_shorter_readings_of_a_fit_reply_against_its_own_rubric():
    gold = small_gold()
    import re

    whole = fit.gold_rows(gold, "fit")
    partial = fit.partial_rows(gold, "fit", 6, seed=0)
    assert partial and len(partial) <= 6 and partial == fit.partial_rows(gold, "fit", 6, seed=0)
    assert fit.partial_rows(gold, "fit", 0, seed=0) == []
    for context, reply, criteria, points, labels in partial:
        assert labels == []
        sentences = re.split(r"(?<=[.!?])\s+", reply)
        assert any(r[0] == context and r[2] == criteria and r[3] == points and len(reply) < len(r[1])
                   and all(x in r[1] for x in sentences) for r in whole)  # part of a reply, read by its rubric


def test_a_distilling_fit_reads_each_row_as_the_teacher_judge_does(tmp_path, monkeypatch):
    import json

    from traitrl.grading.learned.judge import LearnedJudge, reply_context
    from traitrl.grading.learned.model import ReaderConfig
    from traitrl.grading.learned.pretrained import load_reader

    gold = small_gold()
    config = ReaderConfig(rank=4, alpha=8.0, reply_length=True)
    fit.fit_judge(gold, tmp_path / "teacher", epochs=1, batch_size=4, config=config, progress=False)
    labelled = gold.labelled_replies("fit")
    rows = [(reply_context(s), r.text, [i.criterion for i in s.rubric], [i.points for i in s.rubric], v)
            for s, r, v in labelled]
    reader, tokenizer = load_reader(config)
    cache = fit.cache_reply_states(reader, tokenizer, rows)
    got = fit.teacher_logits(tmp_path / "teacher", config, tokenizer, cache, rows)
    judge = LearnedJudge._build(tmp_path / "teacher")
    want = judge.logits([s for s, _, _ in labelled], [r.text for _, r, _ in labelled])
    assert [len(x) for x in got] == [len(x) for x in want]
    assert max(abs(a - b) for x, y in zip(got, want, strict=True) for a, b in zip(x, y, strict=True)) < 0.05
    assert max(abs(a) for x in got for a in x) > 0.1  # real readings, not zeros

    trained_on = []
    real = fit.fit_targets

    def recorded(rows, teacher, distill):
        trained_on.append((rows, teacher, real(rows, teacher, distill)))
        return trained_on[-1][2]

    monkeypatch.setattr(fit, "fit_targets", recorded)
    meta = fit.fit_judge(gold, tmp_path / "student", epochs=1, batch_size=4, config=config, progress=False,
                         teacher=tmp_path / "teacher", partial=3)
    assert meta["fit"]["teacher"] == json.loads((tmp_path / "student" / "reader.json").read_text())["fit"]["teacher"]
    assert meta["fit"]["partial"] == 3 and meta["fit"]["distill"] == 0.5
    (train, teacher, targets), = trained_on
    assert teacher is not None and sum(not r[4] for r in train) == 3  # the three unlabelled rows, read by the teacher
    soft = [t for r, ts in zip(train, targets, strict=True) for t in ts if r[4]]
    assert any(0.0 < t < 1.0 for t in soft) and not all(t in (0.0, 0.5, 1.0) for t in soft)

    other = ReaderConfig(rank=4, alpha=8.0, reply_length=False)
    with pytest.raises(InputError, match="reads replies differently"):
        fit.teacher_logits(tmp_path / "teacher", other, tokenizer, cache, rows)
    deeper = ReaderConfig(rank=4, alpha=8.0, reply_length=True, reply_trained_layers=2)
    with pytest.raises(InputError, match="does not cache"):  # found before any encoding
        fit.fit_judge(gold, tmp_path / "never", epochs=1, config=deeper, teacher=tmp_path / "teacher", progress=False)
    assert not (tmp_path / "never").exists()
