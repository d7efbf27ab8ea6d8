"""The learned judge's pieces on their own: the reply-level calibration rule, its fit, the legacy Platt file
format, and the inference path (adapters folded, reply keys and values computed once) against training's."""

from __future__ import annotations

import math
import random

import pytest
import torch

from traitrl.grading.learned.calibration import FEATURES, ReplyCalibration, features, fit_calibration
from traitrl.grading.learned.judge import read_calibration


def test_features_by_hand():
    # items: +5 (z=2), +3 (z=0), -4 (z=1); positives' mean 1, negatives' mean 1
    rows = features([2.0, 0.0, 1.0], [5, 3, -4])
    assert len(rows[0]) == len(FEATURES)
    assert rows[0] == [2.0, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0]   # the other positive has z 0; the negative z 1
    assert rows[1] == [0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0]
    assert rows[2] == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]   # no other negative; positives' mean 1 -> 1 * 1


def test_a_single_item_rubric_has_only_its_own_logit():
    assert features([-3.0], [7]) == [[-3.0, 1.0, -3.0, 0.0, 0.0, 0.0, 0.0, 0.0]]


def test_legacy_platt_scaling_reads_as_the_same_rule():
    cal = read_calibration({"scale": 0.5, "shift": -0.25})
    assert cal.calibrated_logits([2.0, -1.0], [5, -5]) == pytest.approx([0.75, -0.75])


def test_fit_recovers_a_rule_that_reads_the_other_items():
    """Labels drawn from a known rule in which a negative item is met only when the positives are not: the fit
    must find the rule's weights and beat the item's own logit read alone."""
    rng = random.Random(0)
    truth = ReplyCalibration(weights=[1.0, 0.5, 0.0, 0.0, 0.0, 0.0, -1.5, 0.0], bias=0.0)
    replies = []
    for _ in range(1500):
        logits = [rng.gauss(0, 2) for _ in range(4)]
        points = [5, 4, 3, -5]
        probs = [1 / (1 + math.exp(-z)) for z in truth.calibrated_logits(logits, points)]
        replies.append((logits, points, [rng.random() < p for p in probs]))
    fitted = fit_calibration(replies)
    assert fitted.weights[6] == pytest.approx(-1.5, abs=0.35) and fitted.weights[0] == pytest.approx(1.0, abs=0.3)

    def accuracy(cal: ReplyCalibration) -> float:
        hits = [(z > 0) == m for logits, points, labels in replies
                for z, m in zip(cal.calibrated_logits(logits, points), labels, strict=True)]
        return sum(hits) / len(hits)

    own_only = ReplyCalibration(weights=[1.0] + [0.0] * 7, bias=0.0)
    assert accuracy(fitted) > accuracy(own_only) + 0.03


@pytest.fixture(scope="module", params=[0, 2], ids=["frozen_reply_side", "reply_adapted_top_2"])
def reader_and_tokenizer(request):
    from traitrl.grading.learned.model import ReaderConfig
    from traitrl.grading.learned.pretrained import load_reader

    reader, tokenizer = load_reader(ReaderConfig(rank=4, alpha=8.0, reply_trained_layers=request.param), seed=0)
    with torch.no_grad():  # adapters away from zero, so folding them is not trivially exact
        for name, p in reader.named_parameters():
            if "lora_b" in name:
                p.normal_(0, 0.02)
    return reader.eval(), tokenizer


def test_folded_adapters_and_reply_keys_computed_once_match_the_training_path(reader_and_tokenizer):
    import copy

    from traitrl.grading.learned.model import criterion_batch, reply_batch, tokenize_replies

    reader, tokenizer = reader_and_tokenizer
    rows = [("Should I ship it all tonight?", "No. Ship to one region first and keep a rollback ready."),
            ("Is the study real?", "I can't find it; I was wrong to cite it.")]
    seqs = tokenize_replies(tokenizer, reader.config, rows)
    replies = reply_batch(seqs, tokenizer.pad_token_id)
    crit = criterion_batch(tokenizer, reader.config, [len(s) for s in seqs],
                           [["Proposes a staged rollout", "Ships everything at once"], ["Retracts the claim"]],
                           [[5, -5], [4]])
    with torch.no_grad():
        training = reader.read(reader.encode_replies(replies), replies.valid, crit)
        folded = copy.deepcopy(reader).merge_adapters()
        inference = folded(replies, crit)
        unfolded_adapters = reader(replies, crit)
    assert torch.allclose(training, unfolded_adapters, atol=1e-4)
    assert torch.allclose(training, inference, atol=1e-4)
    assert not any("lora_" in name for name, _ in folded.named_parameters())


def test_reply_adapted_layers_read_the_reply_with_the_adapters():
    """With `reply_trained_layers`, the reply's top layers use the adapters: same reading as the frozen reply side
    while the adapters are zero, a different one once they are not (the criterion side being the same in both)."""
    from traitrl.grading.learned.model import ReaderConfig, criterion_batch, reply_batch, tokenize_replies
    from traitrl.grading.learned.pretrained import load_reader

    rows = [("Should I ship it all tonight?", "No. Ship to one region first and keep a rollback ready.")]
    out = {}
    for layers in (0, 2):
        reader, tokenizer = load_reader(ReaderConfig(rank=4, alpha=8.0, reply_trained_layers=layers), seed=0)
        seqs = tokenize_replies(tokenizer, reader.config, rows)
        replies = reply_batch(seqs, tokenizer.pad_token_id)
        crit = criterion_batch(tokenizer, reader.config, [len(s) for s in seqs], [["Proposes a staged rollout"]], [[5]])
        states = reader.encode_replies(replies)
        with torch.no_grad():
            zero = reader.read(states, replies.valid, crit)
            torch.manual_seed(3)
            for name, p in reader.named_parameters():
                if "lora_b" in name:
                    p.normal_(0, 0.05)
            out[layers] = (zero, reader.read(states, replies.valid, crit))
        assert len(states) == {0: 6, 2: 5}[layers]  # the frozen states are cached up to the first adapted layer
    assert torch.allclose(out[0][0], out[2][0], atol=1e-5)
    assert not torch.allclose(out[0][1], out[2][1], atol=1e-3)


def test_loading_the_judge_leaves_the_callers_random_numbers_alone():
    """The judge loads lazily, at a run's first reward call or held-out probe: it must not reseed or draw from
    the global generator (it did both: `torch.manual_seed` in the reader's build, random init of folded layers)."""
    from traitrl.grading.learned.judge import WEIGHTS_DIR, LearnedJudge

    torch.manual_seed(1234)
    before = torch.random.get_rng_state().clone()
    LearnedJudge._build(WEIGHTS_DIR)
    assert torch.equal(torch.random.get_rng_state(), before)
