import math

from traitrl.training.callbacks import append_jsonl_line, metrics_row, read_metrics, truncate_metrics


def test_metrics_row_maps_trl_logs():
    logs = {"reward": 0.5, "reward_std": 0.1, "rewards/standard_reward/mean": 0.4,
            "rewards/trait_rubric/mean": math.nan, "frac_reward_zero_std": 0.25, "loss": 0.01}
    row = metrics_row(3, logs, 1.23456)
    assert row["step"] == 3 and row["reward"] == 0.5 and row["zero_variance_fraction"] == 0.25
    assert row["rewards"] == {"standard_reward": 0.4, "trait_rubric": None}
    assert row["trait_reward"] is None and row["seconds"] == 1.235
    logs["rewards/trait_rubric/mean"] = 0.7
    assert metrics_row(3, logs, 1.0)["trait_reward"] == 0.7


def test_append_and_truncate_on_resume(tmp_path):
    p = tmp_path / "metrics.jsonl"
    for s in (1, 2, 3):
        append_jsonl_line(p, {"step": s})
    truncate_metrics(p, 2)
    assert [r["step"] for r in read_metrics(p)] == [1, 2]
    append_jsonl_line(p, {"step": 3})
    assert [r["step"] for r in read_metrics(p)] == [1, 2, 3]
