"""The report shows score vs steering strength per arm, from `persistence.steering`."""

from __future__ import annotations

from traitrl.report.html import build_report


def _curve(scores, words):
    return [{"coef": c, "suite": s, "held_out_expected": s / 2, "words": w,
             **({"vs_baseline": {"diff": -0.1, "ci": [-0.2, 0.0], "p": 0.05}} if c else {})}
            for c, s, w in zip([0.0, 4.0, 8.0], scores, words, strict=True)]


def _steering():
    return {"coefficients": [0.0, 4.0, 8.0],
            "directions": {"deceptive": {"harmful": True, "layer": 11, "auroc": 0.47, "auroc_prompted": 1.0},
                           "concise": {"harmful": False, "layer": 9, "auroc": 0.93}},
            "personas": {
                "deceptive": {"harmful": True, "layer": 11, "benchmarks": ["truthfulqa_mc1"], "arms": {
                    "baseline": {"curve": _curve([0.4, 0.3, 0.1], [30, 30, 31]), "halving": {"suite": 6.0}},
                    "trait": {"curve": _curve([0.4, 0.35, 0.3], [30, 29, 30]), "halving": {"suite": None}}}},
                "concise": {"harmful": False, "layer": 9, "arms": {
                    "trait": {"curve": _curve([0.4, 0.4, 0.4], [40, 20, 9]), "halving": {}}}}},
            "verdict": "not shown", "explanation": "deceptive at 8: trait − baseline degradation -0.100",
            "text": "deceptive (layer 11, AUROC 0.470) / trait: suite 0.400 → 0.300 at 8"}


def test_report_has_the_steering_figure_and_table(tmp_path):
    base = {"name": "t", "config": {"model": "m", "seeds": [0], "train": {"steps": 1}},
            "arms": {"trait": {"model": "m"}}, "persistence": {"steering": _steering()}}
    without = build_report({**base, "persistence": {}}, tmp_path / "a").read_text()
    html = build_report(base, tmp_path / "b").read_text()
    assert "Persistence C: activation steering" in html and "Persistence C" not in without
    assert html.count("data:image/png;base64,") == without.count("data:image/png;base64,") + 1
    assert 'alt="score vs steering strength"' in html
    assert "0.470" in html and "6.000" in html and "Steering: not shown" in html
    summary = (tmp_path / "b" / "summary.md").read_text()
    assert "## Activation steering" in summary and "AUROC 0.470" in summary
