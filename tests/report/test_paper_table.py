"""The paper's claims beside ours: verdicts that follow from the CI, and rows that say what was not measured."""

from __future__ import annotations

from traitrl.report.paper_table import equivalence_verdict, paper_rows, render_paper_table, verdict
from traitrl.report.summary import render_summary
from traitrl.results import Results


def test_verdicts_follow_the_ci_and_the_papers_direction():
    assert verdict([0.01, 0.2]) == "reproduced"
    assert verdict([-0.1, 0.2]).startswith("not reproduced")
    assert verdict([-0.3, -0.1]).startswith("opposite")
    assert verdict([-0.3, -0.1], sign=-1) == "reproduced"  # the paper reports a smaller degradation
    assert verdict(None) == "no CI"


def test_no_difference_needs_a_tight_ci():
    assert equivalence_verdict([[-0.016, 0.025]]) == "reproduced"
    assert equivalence_verdict([[-0.5, 1.0]]).startswith("inconclusive")  # includes 0, says nothing
    assert equivalence_verdict([[0.01, 0.04], [-0.01, 0.01]]).startswith("not reproduced")


def _results() -> Results:
    bench = {"diff": 0.1, "ci": [0.0, 0.2], "p": 0.05, "q": 0.2, "category": "honesty", "paired": True}
    return Results.model_validate({
        "arms": {"base": {"model": "m", "held_out_trait": {"all": {"n": 60, "strict": 0.1, "strict_ci": [0.05, 0.15]}}},
                 "trait@s0": {"model": "m", "held_out_trait": {"all": {"n": 60, "strict": 0.4,
                                                                         "strict_ci": [0.3, 0.5]}}}},
        "compare": {
            "trait@s0": {"n_benchmarks": 2, "improved": 2, "sig_improved": 1, "mean_gain": 0.05,
                         "per_benchmark": {"x": bench}},
            # ties are left out of the sign test: 9 wins, 1 loss, 10 ties -> p = 0.021
            "health_only@s0": {"per_benchmark": {
                **{f"w{i}": {**bench, "diff": 0.1} for i in range(9)}, "l0": {**bench, "diff": -0.1},
                **{f"t{i}": {**bench, "diff": 0.0} for i in range(10)},
                "h": {**bench, "category": "health", "diff": -0.5}}}}})


def test_rows_read_a_seeded_run_and_leave_ties_out_of_the_sign_test():
    trait, _, bench, health, harmful, *_ = paper_rows(_results())
    assert trait.ours == "0.100 → 0.400" and trait.verdict == "reproduced"  # CIs apart
    assert bench.ours.startswith("2 / 1 / 0 of 2, mean +5.0 points") and bench.verdict == "reproduced"
    assert health.ours.startswith("9 / 1 of 20") and health.verdict == "reproduced", health
    assert harmful.claim.startswith("harmful-persona") and harmful.verdict == "not measured"


def test_the_summary_carries_the_table():
    text = render_summary(_results())
    assert "## In the paper's shape" in text and render_paper_table(_results()) in text
    assert "5 items or fewer has the whole possible range as its CI" in text  # how to read [-1, +1] at demo size


def test_the_html_report_carries_the_table_and_the_pooled_comparison(tmp_path):
    from traitrl.report.html import build_report

    data = _results().model_dump()
    data["config"] = {"model": "m", "seeds": [0, 1, 2], "trait_share": 0.25, "train": {"steps": 200}}
    data["pooled"] = {"trait": {**data["compare"]["trait@s0"], "seeds": [0, 1, 2],
                                "per_benchmark": {"x": {"diff": 0.1, "ci": [0.0, 0.2], "p": 0.05, "q": 0.2,
                                                        "category": "honesty", "paired": True, "seeds_agree": 2}}}}
    html = build_report(data, tmp_path).read_text()
    assert "In the paper&#39;s shape" in html or "In the paper's shape" in html
    assert "never a zero-width interval" in html
    assert "trait (pooled) vs compute-matched baseline, pooled over seeds 0, 1, 2" in html
    assert "2/3 seeds agree" in html and "17 of 19" in html
