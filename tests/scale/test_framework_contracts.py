"""The exports against the frameworks' own code, on CPU: verl 0.9.1 and OpenRLHF 0.11.2 from PyPI.

Both are installed without their dependencies (no GPU stack: no vLLM, DeepSpeed or flash-attn) into a folder
cached under TRAITRL_CACHE, with the few light packages their config and reward code import (Ray, Hydra,
tensordict, ...), and `tests/scale/framework_check.py` runs in a subprocess with that folder on PYTHONPATH:
- verl: the printed command's overrides compose under verl's Hydra config and pass `validate_config` (and the
  same overrides without the micro batch sizes, the old command, do not); verl's `get_custom_reward_fn` loads
  the exported module and it is called as verl's reward loop calls it, on a mixed batch (trait + GSM8K rows);
- OpenRLHF: the printed flags go through `train_ppo_ray`'s own parser and checks; its `SingleTurnAgentExecutor`
  loads `reward_func.py` and scores a mixed batch, prompts left-truncated as OpenRLHF does.
Installing needs PyPI (the one network the tests may use); the first run takes about a minute.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.scale.gsm8k_rows import openrlhf_gsm8k, verl_gsm8k
from traitrl.export.commands import (
    OPENRLHF_COMMAND_TEMPLATE,
    VERL_COMMAND_TEMPLATE,
    export_openrlhf_dir,
    export_verl_dir,
)
from traitrl.files import atomic_write_jsonl
from traitrl.grading.api import grade, load_grader

REPO = Path(__file__).resolve().parents[2]
PINS = ["verl==0.9.1", "openrlhf==0.11.2", "ray==2.60.0", "tensordict==0.15.3", "pyvers==0.2.3", "msgpack==1.2.4",
        "codetiming==1.4.0", "orjson==3.13.0", "hydra-core==1.3.8", "omegaconf==2.3.0",
        "antlr4-python3-runtime==4.9.3", "pylatexenc==2.11"]
GOOD = "I was wrong to cite that: I cannot verify it, so please disregard it; the evidence is limited."
BAD = "Sure! The DOI is 10.1234/fake.2021.001 by Smith et al., and the remission rate was 87.3%."


@pytest.fixture(scope="module")
def site() -> Path:
    from traitrl.settings import cache_dir

    target = cache_dir() / "frameworks" / "-".join(p.replace("==", "") for p in PINS[:2])
    if not (target / ".complete").exists():
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(tmp),
                               *PINS], capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-2000:]
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        (target / ".complete").write_text("\n".join(PINS))
    return target


@pytest.fixture(scope="module")
def scenarios():
    from traitrl.scenarios.build import load_builtin

    return load_builtin(split="train", seed=0)[:40] + load_builtin(split="eval", seed=0)[:4]


def _tolerance() -> float:
    """fp32: the exported reward equals the judge's to rounding. bf16: a reply graded in another batch or with
    another thread count (the two processes each take the idle cores) moves by bf16 rounding (up to 1e-3 on the
    AMX Xeon under the test suite's load; equal when run alone), far below the gap between a good and a bad
    reply."""
    import torch

    from traitrl.grading.learned.judge import reader_dtype

    return 1e-6 if reader_dtype() == torch.float32 else 0.01


def _expected(scenario, reply: str) -> float:
    value = grade(scenario, reply, load_grader("offline")).expected_score
    return 0.0 if math.isnan(value) else value


def test_exports_pass_the_frameworks_own_checks_and_reward_loops(site, scenarios, tmp_path, tiny_model_path):
    by_id = {s.id: s for s in scenarios}
    std_verl = tmp_path / "gsm8k.parquet"
    pq.write_table(pa.Table.from_pylist(verl_gsm8k(40)), std_verl)
    verl = export_verl_dir(scenarios, tmp_path / "verl", mix=std_verl, share=0.1)
    std_orlhf = tmp_path / "gsm8k.jsonl"
    atomic_write_jsonl(std_orlhf, openrlhf_gsm8k(40))
    orlhf = export_openrlhf_dir(scenarios, tmp_path / "orlhf", mix=std_orlhf, share=0.1)

    verl_rows, verl_want = [], []
    for row in pq.read_table(verl["train"]).to_pylist():
        trait = row["data_source"].startswith("traitrl/")
        if trait:
            s = by_id[row["extra_info"]["id"]]
            for reply in (GOOD, BAD):
                verl_rows.append({**row, "reply": reply, "ground_truth": row["reward_model"]["ground_truth"]})
                verl_want.append(_expected(s, reply))
        elif len(verl_rows) < 16:
            answer = row["reward_model"]["ground_truth"]
            for reply, want in ((f"Step by step... #### {answer}", 1.0), ("#### 123456789", 0.0)):
                verl_rows.append({**row, "reply": reply, "ground_truth": answer})
                verl_want.append(want)
    orlhf_rows, orlhf_want = [], []
    for line in orlhf["prompts"].read_text().splitlines():
        row = json.loads(line)
        if "id" in row:
            for reply, truncate in ((GOOD, False), (BAD, False), (BAD, True)):
                orlhf_rows.append({"row": row, "reply": reply, "truncate": truncate})
                orlhf_want.append(_expected(by_id[row["id"]], reply))
        elif len(orlhf_rows) < 24:
            orlhf_rows.append({"row": row, "reply": f"So the answer is #### {row['label']}", "truncate": True})
            orlhf_want.append(1.0)
    assert sum("id" in r["row"] for r in orlhf_rows) == 12 and len(orlhf_rows) > 12  # trait and GSM8K rows

    verl_command = VERL_COMMAND_TEMPLATE.format(train=verl["train"], val=verl["val"], model=tiny_model_path,
                                               reward=verl["reward"], save=tmp_path / "ckpt")
    orlhf_command = OPENRLHF_COMMAND_TEMPLATE.format(prompts=orlhf["prompts"], model=tiny_model_path,
                                                     reward=orlhf["reward"], input_key="prompt", label_key="label",
                                                     save=tmp_path / "ckpt")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"verl_command": " ".join(x for x in verl_command.splitlines()
                                                         if not x.startswith("#")).replace("\\", " "),
                                "openrlhf_command": " ".join(x for x in orlhf_command.splitlines()
                                                             if not x.startswith("#")).replace("\\", " "),
                                "verl_rows": verl_rows, "openrlhf_rows": orlhf_rows,
                                "tokenizer": str(tiny_model_path)}, default=str))
    out = tmp_path / "result.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(site)]), "RAY_USAGE_STATS_ENABLED": "0"}
    # by path: verl's wheel ships a top-level `tests` package that would shadow this repository's
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("framework_check.py")), str(spec), str(out)],
                          cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    got = json.loads(out.read_text())

    assert got["verl_validate"] == "ok"
    assert "micro_batch_size" in got["verl_validate_without_micro_batches"]  # the check the old command failed
    assert got["verl_scores"] == pytest.approx(verl_want, abs=_tolerance())
    assert got["openrlhf_args"] == {"remote_url": [str(orlhf["reward"])], "prompt_dataset": str(orlhf["prompts"]),
                                    "input_key": "prompt", "label_key": "label", "apply_chat_template": True,
                                    "model": str(tiny_model_path), "estimator": "group_norm"}
    scores = got["openrlhf_scores"]
    assert [s["reward"] for s in scores] == pytest.approx(orlhf_want, abs=_tolerance())
    truncated = [s for s, r in zip(scores, orlhf_rows, strict=True) if r["truncate"]]
    assert all(s["prompt_tokens"] < s["full_prompt_tokens"] for s in truncated)  # OpenRLHF did cut the prompt
