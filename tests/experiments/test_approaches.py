"""The head-to-head of trait rubrics, constitution reward and constitutional SFT, on hand-built stages."""

from traitrl.experiments.approaches import compare_approaches


def _stage(scores: dict[str, list[float]]) -> dict:
    return {"items": {b: {f"i{k}": {"score": s, "refusal": None} for k, s in enumerate(v)}
                      for b, v in scores.items()}, "suite": {}}


def test_a_clear_winner_and_a_tie():
    cats = {f"b{j}": "sycophancy" for j in range(6)}
    low = _stage({b: [0.0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.1] for b in cats})
    high = _stage({b: [0.9, 1.0, 0.9, 1.0, 0.9, 1.0, 0.9, 1.0] for b in cats})
    before = _stage({"h": [1.0] * 8})
    personas = {"bad_medical": {"trait": {"before": before, "after": _stage({"h": [1.0] * 8})},
                                "constitution_reward": {"before": before,
                                                        "after": _stage({"h": [0.0, 0.1] * 4})}}}
    out = compare_approaches({"trait": high, "constitution_reward": low}, personas, cats)
    pair = out["pairs"]["trait vs constitution_reward"]
    g = pair["generalisation"]
    assert g["b_better"] == 0 and g["sig_a_better"] == 6 and g["mean_diff"] < -0.8 and g["ci"][1] < 0
    p = pair["persona_persistence"]
    assert p["degradation_diff"] > 0.9 and p["ci"][0] > 0  # the constitution arm degrades more
    assert pair["verdict"] == ["generalisation (suite): trait better", "persistence (harmful personas): trait better"]

    same = compare_approaches({"trait": high, "constitution_reward": high}, {}, cats)
    assert same["pairs"]["trait vs constitution_reward"]["verdict"][1].endswith("not enough data")
    assert same["pairs"]["trait vs constitution_reward"]["verdict"][0] == \
        "generalisation (suite): cannot tell trait and constitution_reward apart"


def test_training_summary_windows_never_overlap():
    from traitrl.experiments.run import _head, _tail

    assert (_head([0.1, 0.2]), _tail([0.1, 0.2])) == (0.1, 0.2)  # two generation rounds: first vs last
    assert (_head(list(range(12))), _tail(list(range(12)))) == (2.0, 9.0)  # 5-value windows
    assert _head([]) is None and _tail([]) is None
