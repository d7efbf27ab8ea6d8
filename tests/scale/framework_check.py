"""Run inside the framework site (`test_framework_contracts.py`): each exported reward module is loaded and
called by verl's and OpenRLHF's own code, and the printed commands go through their own config/argument checks.

    python tests/scale/framework_check.py SPEC.json OUT.json     # PYTHONPATH=<site with verl, openrlhf>

Call shapes (copied as shapes, not code): verl 0.9.1 `verl/trainer/ppo/reward.py` `get_custom_reward_fn` +
`verl/experimental/reward_loop/reward_manager/naive.py` (keyword call with `reward_router_address` /
`reward_model_tokenizer`); OpenRLHF 0.11.2 `openrlhf/utils/agent.py` `SingleTurnAgentExecutor.execute` (prompt
tokens left-truncated to the budget, query decoded with special tokens) and
`openrlhf/datasets/prompts_dataset.py` `preprocess_data` (the prompt and label of a row).
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import json
import shlex
import sys
import types
from pathlib import Path


def verl_compose(overrides: list[str]):
    import verl
    from hydra import compose, initialize_config_dir

    config_dir = str(Path(verl.__file__).parent / "trainer" / "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return compose("ppo_trainer", overrides=overrides)


def verl_validate(overrides: list[str]) -> str:
    """'ok', or what verl's `validate_config` (as `main_ppo` calls it) refuses."""
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    try:
        cfg = verl_compose(overrides)
        validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    except Exception as e:  # noqa: BLE001 - the message is the result
        return f"{type(e).__name__}: {' '.join(str(e).split())[:400]}"
    return "ok"


def verl_scores(overrides: list[str], rows: list[dict]) -> list[float]:
    from verl.trainer.ppo.reward import get_custom_reward_fn

    fn = get_custom_reward_fn(verl_compose(overrides))
    return [float(fn(data_source=r["data_source"], solution_str=r["reply"], ground_truth=r["ground_truth"],
                     extra_info=r["extra_info"], reward_router_address=None, reward_model_tokenizer=None))
            for r in rows]


def openrlhf_args(argv: list[str]):
    """OpenRLHF's own `train_ppo_ray` argument parsing and checks (its `__main__` block), stopped at `train`."""
    source = Path(importlib.util.find_spec("openrlhf.cli.train_ppo_ray").origin).read_text()
    main = next(node for node in ast.parse(source).body if isinstance(node, ast.If)
                and "__main__" in ast.unparse(node.test))
    # its standard-library imports (argparse, os, datetime); not ray and the GPU trainers, which `train` needs
    stdlib = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))
              and not ast.unparse(node).split()[1].startswith(("ray", "openrlhf"))]
    seen = []
    scope = {"__name__": "train_ppo_ray"}
    exec(compile(ast.Module(body=stdlib, type_ignores=[]), "train_ppo_ray", "exec"), scope)  # noqa: S102
    scope["train"] = seen.append
    old = sys.argv
    sys.argv = ["train_ppo_ray", *argv]
    try:
        exec(compile(ast.Module(body=main.body, type_ignores=[]), "train_ppo_ray", "exec"), scope)  # noqa: S102
    finally:
        sys.argv = old
    return seen[0]


class ScriptedEngine:
    """Stands in for the vLLM engine (GPU only): returns a fixed reply's token ids for any prompt."""

    def __init__(self, reply_ids: list[int]) -> None:
        self.reply_ids = reply_ids

    async def generate(self, prompt_token_ids, params, multi_modal_data=None):
        out = types.SimpleNamespace(token_ids=list(self.reply_ids), finish_reason="stop", logprobs=None)
        return types.SimpleNamespace(outputs=[out])


def openrlhf_scores(reward_url: list[str], tokenizer_path: str, rows: list[dict]) -> list[dict]:
    import torch
    from openrlhf.datasets.prompts_dataset import preprocess_data
    from openrlhf.utils.agent import SingleTurnAgentExecutor
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    executor = SingleTurnAgentExecutor(remote_rm_url=reward_url)
    out = []
    for r in rows:
        prompt, label = preprocess_data(r["row"], None, "prompt", "label", tok.apply_chat_template)
        n_prompt = len(tok(text=prompt, add_special_tokens=False)["input_ids"])
        reply_ids = tok(r["reply"], add_special_tokens=False)["input_ids"] + [tok.convert_tokens_to_ids("<|im_end|>")]
        max_tokens = len(reply_ids) + 8
        max_length = max_tokens + (n_prompt // 2 if r["truncate"] else n_prompt)
        params = types.SimpleNamespace(max_tokens=max_tokens, logprobs=None)
        result = asyncio.run(executor.execute(prompt, label, params, max_length, tok, ScriptedEngine(reply_ids)))
        reward = result["reward"]
        info = torch.tensor([reward])  # what samples_generator.py does with it
        out.append({"reward": float(info.flatten()[0]), "prompt_tokens": len(result["observation_tokens"]) -
                    len(reply_ids), "full_prompt_tokens": n_prompt})
    return out


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    result = {}
    verl_overrides = shlex.split(spec["verl_command"])[3:]  # after `python -m verl.trainer.main_ppo`
    result["verl_validate"] = verl_validate(verl_overrides)
    result["verl_validate_without_micro_batches"] = verl_validate(
        [o for o in verl_overrides if "micro_batch_size" not in o])
    result["verl_scores"] = verl_scores(verl_overrides, spec["verl_rows"])
    argv = shlex.split(spec["openrlhf_command"])
    args = openrlhf_args(argv[argv.index("openrlhf.cli.train_ppo_ray") + 1:])
    result["openrlhf_args"] = {"remote_url": args.reward.remote_url, "prompt_dataset": args.data.prompt_dataset,
                               "input_key": args.data.input_key, "label_key": args.data.label_key,
                               "apply_chat_template": args.data.apply_chat_template,
                               "model": args.actor.model_name_or_path, "estimator": args.algo.advantage.estimator}
    result["openrlhf_scores"] = openrlhf_scores(args.reward.remote_url, spec["tokenizer"], spec["openrlhf_rows"])
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
