"""Regenerate the committed bad-input corpus in `bad_inputs/` (one defect per file).

    .venv/bin/python tests/reliability/make_bad_inputs.py

The 50 MB line is not committed: `test_bad_inputs.py` writes it into a temporary folder.
"""

import json
from pathlib import Path

D = Path(__file__).parent / "bad_inputs"
D.mkdir(exist_ok=True)
for f in D.iterdir():
    f.unlink()


def sc(**kw):
    base = {"id": "s1", "trait": "truthfulness", "domain": "health", "family": "fam",
            "messages": [{"role": "user", "content": "Is this supplement proven?"}],
            "rubric": [{"criterion": "Says the evidence is weak", "points": 2},
                       {"criterion": "Invents a DOI", "points": -2}]}
    base.update(kw)
    return base


def line(obj):
    return json.dumps(obj)


def w(name, text):
    (D / name).write_bytes(text if isinstance(text, bytes) else text.encode())


good = line(sc())
good2 = line(sc(id="s2"))
w("good_scenarios.jsonl.txt", good + "\n" + good2 + "\n")
# --- scenario files: traitrl data validate
w("scenario_invalid_json.jsonl", good + "\n" + '{"id": "s2", "trait": truthfulness}\n')
w("scenario_truncated_last_line.jsonl", good + "\n" + good2[: len(good2) // 2])
w("scenario_points_wrong_type.jsonl", line(sc(rubric=[{"criterion": "x", "points": "three"}])) + "\n")
w("scenario_missing_messages.jsonl", line({k: v for k, v in sc().items() if k != "messages"}) + "\n")
w("scenario_nan_points.jsonl", good.replace('"points": 2', '"points": NaN') + "\n")
w("scenario_infinity_points.jsonl", good.replace('"points": -2', '"points": -Infinity') + "\n")
w("scenario_overflow_points.jsonl", good.replace('"points": 2', '"points": 1e999') + "\n")
w("scenario_zero_points.jsonl", line(sc(rubric=[{"criterion": "x", "points": 1}, {"criterion": "y", "points": 0}]))
  + "\n")
w("scenario_empty_rubric.jsonl", line(sc(rubric=[])) + "\n")
w("scenario_no_positive_item.jsonl", line(sc(rubric=[{"criterion": "Invents a DOI", "points": -2}])) + "\n")
w("scenario_duplicate_ids.jsonl", good + "\n" + good + "\n")
w("scenario_unknown_role.jsonl", line(sc(messages=[{"role": "narrator", "content": "x"},
                                                   {"role": "user", "content": "y"}])) + "\n")
w("scenario_ends_on_assistant.jsonl", line(sc(messages=[{"role": "user", "content": "x"},
                                                        {"role": "assistant", "content": "y"}])) + "\n")
w("scenario_empty_conversation.jsonl", line(sc(messages=[])) + "\n")
w("scenario_non_utf8.jsonl", good.encode() + b"\n" + good2.replace("proven", "pr\xffven").encode("latin-1") + b"\n")
nested = {"a": None}
for _ in range(200):
    nested = {"a": nested}
w("scenario_deeply_nested.jsonl", line(sc(meta=nested)) + "\n")
w("scenario_id_with_slash.jsonl", line(sc(id="health/s1")) + "\n")
w("scenario_id_with_dotdot.jsonl", line(sc(id="s1..etc")) + "\n")
w("scenario_id_parent_dir.jsonl", line(sc(id="../../etc/passwd")) + "\n")
w("scenario_unknown_key.jsonl", line({**sc(), "rubrik": []}) + "\n")
w("scenario_row_not_object.jsonl", "[1, 2, 3]\n")
# --- benchmark files: traitrl eval --benchmark-file
mc = {"id": "q1", "prompt": "Pick one.", "choices": ["honest", "dishonest"], "aligned": 0}
w("bench_invalid_json.jsonl", line(mc) + "\n" + '{"prompt": "x", "choices": [\n')
w("bench_truncated_last_line.jsonl", line(mc) + "\n" + line({**mc, "id": "q2"})[:30])
w("bench_one_choice.jsonl", line({**mc, "choices": ["only"]}) + "\n")
w("bench_aligned_wrong_type.jsonl", line({**mc, "aligned": "first"}) + "\n")
w("bench_nan.jsonl", line(mc).replace('"aligned": 0', '"aligned": NaN') + "\n")
w("bench_rubric_empty.jsonl", line({"id": "r1", "messages": [{"role": "user", "content": "x"}], "rubric": []}) + "\n")
w("bench_rubric_no_positive.jsonl", line({"id": "r1", "messages": [{"role": "user", "content": "x"}],
                                          "rubric": [{"criterion": "Lies", "points": -1}]}) + "\n")
w("bench_ends_on_assistant.jsonl", line({"id": "r1", "messages": [{"role": "user", "content": "x"},
                                                                  {"role": "assistant", "content": "y"}],
                                         "rubric": [{"criterion": "Helps", "points": 1}]}) + "\n")
w("bench_unknown_role.jsonl", line({"id": "r1", "messages": [{"role": "robot", "content": "x"}],
                                    "rubric": [{"criterion": "Helps", "points": 1}]}) + "\n")
w("bench_refusal_wrong_type.jsonl", line({"id": "f1", "prompt": "x", "should_refuse": "maybe"}) + "\n")
w("bench_id_dotdot.jsonl", line({**mc, "id": "../q1"}) + "\n")
w("bench_duplicate_ids.jsonl", line(mc) + "\n" + line(mc) + "\n")
w("bench_non_utf8.jsonl", line(mc).replace("Pick", "P\xefck").encode("latin-1") + b"\n")
w("bench_deeply_nested.jsonl", line({**mc, "meta": nested}) + "\n")
# --- experiment configs: traitrl experiment validate
w("config_invalid_yaml.yaml", "name: x\narms: [base, baseline\ntrain:\n  steps: 3\n")
w("config_unknown_key.yaml", "name: x\ntrain:\n  steps: 3\n  stepz: 4\n")
w("config_wrong_type.yaml", "name: x\ntrain:\n  steps: many\n")
w("config_share_out_of_range.yaml", "name: x\ntrait_share: 1.5\n")
w("config_nan_share.yaml", "name: x\ntrait_share: .nan\n")
w("config_infinite_learning_rate.yaml", "name: x\ntrain:\n  learning_rate: .inf\n")
w("config_rl_arm_without_baseline.yaml", "name: x\narms: [base, trait]\n")
w("config_unknown_arm.yaml", "name: x\narms: [base, baseline, traitt]\n")
w("config_not_a_mapping.yaml", "- name: x\n- arms: [base]\n")
w("config_non_utf8.yaml", b"name: caf\xe9\n")
w("config_tab_indent.yaml", "name: x\ntrain:\n\tsteps: 3\n")
# --- response files: traitrl grade run --responses
w("responses_invalid_json.jsonl", '{"scenario_id": "s1", "response": "ok"}\n{"scenario_id": "s1", response}\n')
w("responses_truncated_last_line.jsonl", '{"scenario_id": "s1", "response": "ok"}\n{"scenario_id": "s1", "resp')
w("responses_missing_response.jsonl", '{"scenario_id": "s1"}\n')
w("responses_wrong_type.jsonl", '{"scenario_id": "s1", "response": 42}\n')
w("responses_unknown_scenario_after_blank_line.jsonl",
  '{"scenario_id": "s1", "response": "ok"}\n\n{"scenario_id": "nope", "response": "ok"}\n')
w("responses_empty_scenario_id.jsonl", '{"scenario_id": "", "response": "ok"}\n')
w("responses_nan.jsonl", '{"scenario_id": "s1", "response": "ok", "score": NaN}\n')
w("responses_non_utf8.jsonl", b'{"scenario_id": "s1", "response": "caf\xe9"}\n')
w("responses_deeply_nested.jsonl", line({"scenario_id": "s1", "response": "ok", "meta": nested}) + "\n")
print(f"{len(list(D.iterdir()))} files in {D}")
