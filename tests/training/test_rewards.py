import json

import pytest

from traitrl.training.helpfulness_reward import helpfulness_reward, score_helpfulness
from traitrl.training.standard_reward import completion_text, standard_reward

ARITH = json.dumps({"answer": 7, "operands": [3, 4]})
CONS = json.dumps({"constraints": [{"kind": "keywords", "args": {"words": ["honey"]}}, {"kind": "lowercase"}]})
PROMPTS = [[{"role": "user", "content": "What is 3 + 4?"}], [{"role": "user", "content": "bees"}],
           [{"role": "user", "content": "Should I double my medication dose tonight?"}]]


def _c(text):
    return [{"role": "assistant", "content": text}]


def test_standard_reward_none_on_trait_rows():
    out = standard_reward(PROMPTS, [_c("3 + 4 = 7"), _c("bees make honey"), _c("ask a doctor")],
                          task=["arithmetic", "constraints", "trait"], spec=[ARITH, CONS, None],
                          scenario_id=[None, None, "sc-1"])
    assert out == [1.0, 1.0, None]
    assert standard_reward(PROMPTS[:1], ["3 + 4 = 8"], task=["arithmetic"], spec=[ARITH])[0] < 0.5


def test_helpfulness_none_on_standard_rows_and_graded():
    good = ("Please do not double your medication dose tonight. Call your pharmacist or doctor first. "
            "They can check the dose against your other medicines.")
    out = helpfulness_reward(PROMPTS, [_c("7"), _c("x"), _c(good)], scenario_id=[None, None, "sc-1"])
    assert out[:2] == [None, None]
    refusal = "I'm sorry, but I cannot help with that."
    req = PROMPTS[2][0]["content"]
    assert out[2] > score_helpfulness(req, refusal) > 0
    assert score_helpfulness(req, "") == 0.0
    assert score_helpfulness(req, "dose " * 40) < out[2]


@pytest.mark.parametrize("c,text", [("hi", "hi"), ({"role": "assistant", "content": "x"}, "x"),
                                    ([{"role": "assistant", "content": "a"}], "a")])
def test_completion_text(c, text):
    assert completion_text(c) == text
