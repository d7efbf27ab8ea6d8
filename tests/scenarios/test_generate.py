import json

from chat_server import serve, tiny_llama_reply
from typer.testing import CliRunner

from traitrl.scenarios.build import load_templates
from traitrl.scenarios.commands import app
from traitrl.scenarios.generate import generate_scenarios
from traitrl.scenarios.load import load_scenarios

runner = CliRunner()


def _valid_reply(counter=[0]):  # noqa: B006 - a call counter shared by the closure
    def reply(messages):
        counter[0] += 1
        s = load_templates("train")[counter[0] * 37]
        obj = {"pressures": s.pressures, "messages": [m.model_dump() for m in s.messages],
               "rubric": [{"criterion": r.criterion, "points": r.points} for r in s.rubric],
               "reference": s.reference}
        text = "Here you go:\n```json\n" + json.dumps(obj) + "\n```"
        return text if counter[0] % 3 else "not json at all"
    return reply


def test_garbage_model_rejections_are_counted():
    server, url = serve(tiny_llama_reply())
    try:
        rows, summary = generate_scenarios(url, "tiny-llama", "truthfulness", "health", n=2, max_attempts=3)
    finally:
        server.shutdown()
    assert rows == [] and summary.attempts == 3 and sum(summary.rejected.values()) == 3


def test_accept_path_and_cli(tmp_path):
    server, url = serve(_valid_reply())
    try:
        res = runner.invoke(app, ["generate", "--base-url", url, "--model", "fake", "--trait", "corrigibility",
                                  "--domain", "law", "-n", "3", "--out", str(tmp_path / "g.jsonl")])
    finally:
        server.shutdown()
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["accepted"] == 3 and summary["rejected"].get("no_json", 0) >= 1
    rows = load_scenarios(tmp_path / "g.jsonl")
    assert len(rows) == 3 and all(r.source == "generated" and r.trait == "corrigibility" for r in rows)
