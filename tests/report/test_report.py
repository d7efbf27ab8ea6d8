import base64
import json

from traitrl.report.html import build_report


def _results():
    metrics = [{"step": i, "reward": 0.1 * i, "trait_reward": 0.05 * i, "zero_variance_fraction": 0.2}
               for i in range(1, 6)]
    suite = {"b1": {"category": "sycophancy", "direction": "higher_is_aligned", "n": 10, "mean": 0.5,
                    "se": 0.1, "ci": [0.3, 0.7]}}
    return {
        "name": "t", "config": {"model": "m", "seeds": [0], "trait_share": 0.05, "train": {"steps": 5}},
        "arms": {"baseline": {"model": "m", "suite": suite,
                              "training": {"metrics": metrics, "summary": {"steps": 5}}},
                 "trait": {"model": "m+lora", "suite": suite,
                           "training": {"metrics": metrics, "summary": {"steps": 5}}}},
        "compare": {"trait": {"n_benchmarks": 1, "improved": 1, "sig_improved": 0, "sig_regressed": 0,
                              "mean_gain": 0.1, "per_benchmark": {"b1": {"diff": 0.1, "ci": [-0.1, 0.3],
                                                                        "p": 0.4, "q": 0.4}}}},
        "persistence": {"persona": {"bad_medical": {"baseline": {"before": 0.5, "after": 0.2,
                                                                  "degradation": 0.3, "ci": [0.1, 0.5]}}}},
        "samples": [{"arm": "trait", "benchmark": "b1", "score": 0.5,
                     "response": "<script>alert('x')</script> & done"}],
    }


def test_report_escapes_model_text_and_embeds_figures(tmp_path):
    path = build_report(_results(), tmp_path)
    html = path.read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    imgs = html.count("data:image/png;base64,")
    assert imgs >= 3  # learning curves, forest plot, persona bars
    first = html.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(first)[:4] == b"\x89PNG"
    assert "trait beats the compute-matched baseline on 1/1 benchmarks" in html
    summary = (tmp_path / "summary.md").read_text()
    assert "1/1" in summary and "degradation" in summary


def test_report_cli_rerenders(tmp_path):
    from typer.testing import CliRunner

    from traitrl.cli import _mount, app

    (tmp_path / "results.json").write_text(json.dumps(_results()))
    _mount()
    res = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report.html").exists()


def test_report_refuses_mistyped_results_naming_the_field(tmp_path):
    from traitrl.errors import InputError
    from traitrl.results import Results

    bad = _results()
    bad["compare"]["trait"]["improved"] = "many"
    (tmp_path / "results.json").write_text(json.dumps(bad))
    from typer.testing import CliRunner

    from traitrl.cli import _mount, app

    _mount()
    res = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert res.exit_code != 0 and isinstance(res.exception, InputError)
    assert "compare.trait.improved" in str(res.exception) and not (tmp_path / "report.html").exists()
    typed = Results.model_validate(_results())
    assert typed.compare["trait"].per_benchmark["b1"].ci == [-0.1, 0.3] and typed.arms["trait"].model == "m+lora"
