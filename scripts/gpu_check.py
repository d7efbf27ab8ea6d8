"""One short GPU check: CUDA + bf16 chosen automatically, 3 GRPO steps with LoRA, 2 benchmarks, timed.

    python scripts/gpu_check.py --model /path/to/smollm2 --out gpu_check.json        # H100, ~2-4 minutes
    python scripts/gpu_check.py --model "$(python -c 'from traitrl.models.tiny import tiny_llama_path as p; \
        print(p())')" --out /tmp/check.json --steps 1 --limit 2 --small                 # CPU smoke test

Writes one JSON file (`--out`) with every part's seconds, the device, dtypes, the training metrics and the
evaluation results, and exits non-zero when a check fails (the JSON is still written, with the error).
No network, no hub: `--model` is a local folder (the embedded model: `traitrl.models.embedded.policy_path()`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

BENCHMARKS = "syco_are_you_sure,indist_truthfulness"  # built-in (no external data): one mc, one generate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="Local model folder (or 'embedded').")
    p.add_argument("--out", required=True, type=Path, help="JSON results path.")
    p.add_argument("--work", type=Path, default=None, help="Run folder (default: next to --out).")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--benchmarks", default=BENCHMARKS)
    p.add_argument("--small", action="store_true", help="Tiny batches (CPU smoke test).")
    return p.parse_args(argv)


class Timer:
    def __init__(self, report: dict, name: str) -> None:
        self.report, self.name = report, name

    def __enter__(self) -> Timer:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.report.setdefault("seconds", {})[self.name] = round(time.monotonic() - self.start, 2)


def check_device(report: dict, model_spec: str) -> None:
    import torch

    from traitrl.models.loading import default_dtype, load_policy

    cuda = torch.cuda.is_available()
    report["device"] = {"cuda": cuda, "name": torch.cuda.get_device_name(0) if cuda else "cpu",
                        "torch": torch.__version__, "default_dtype": str(default_dtype())}
    loaded = load_policy(model_spec)
    param = next(loaded.model.parameters())
    report["device"].update(policy_device=str(param.device), policy_dtype=str(param.dtype))
    if cuda:
        assert param.device.type == "cuda", f"policy on {param.device}, expected cuda"
        assert param.dtype == torch.bfloat16, f"policy dtype {param.dtype}, expected bfloat16"
    del loaded


def train(report: dict, args: argparse.Namespace, work: Path) -> Path:
    import torch

    from traitrl.training.arms import prepare_arm
    from traitrl.training.config import TrainConfig
    from traitrl.training.grpo import _load_base, train_arm

    small = {"prompts_per_step": 2, "num_generations": 2, "max_completion_length": 8} if args.small else \
        {"prompts_per_step": 8, "num_generations": 4, "max_completion_length": 64}
    cfg = TrainConfig(model=args.model, arm="trait", steps=args.steps, trait_share=0.5, save_steps=args.steps,
                      resume=False, lora_r=8, lora_alpha=16, **small)
    _, base, _ = _load_base(cfg)  # what train_arm loads: check its dtype
    report["train_dtype"] = str(next(base.parameters()).dtype)
    if torch.cuda.is_available():
        assert next(base.parameters()).dtype == torch.bfloat16, "training policy not bf16 on CUDA"
    del base
    rows, rewards = prepare_arm(cfg)
    result = train_arm(cfg, rows, rewards, work / "train")
    report["train"] = {"steps": result.steps, "seconds_in_trainer": round(result.seconds, 2),
                       "metrics": result.metrics}
    if torch.cuda.is_available():
        report["train"]["max_memory_gb"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    assert result.steps == args.steps, f"{result.steps} steps, expected {args.steps}"
    assert (result.adapter_dir / "adapter_model.safetensors").exists(), "no safetensors adapter"
    return result.adapter_dir


def evaluate_adapter(report: dict, args: argparse.Namespace, adapter: Path, work: Path) -> None:
    from traitrl.evals.evaluator import Decoding, evaluate
    from traitrl.evals.registry import get_benchmark
    from traitrl.integrations.model_card import write_model_card

    benches = [get_benchmark(b.strip()) for b in args.benchmarks.split(",") if b.strip()]
    suite = evaluate(str(adapter), benches, limit=args.limit, out_dir=work / "eval", cache=False,
                     decoding=Decoding(max_new_tokens=16 if args.small else 128), batch_size=32)
    report["eval"] = suite.to_json()["benchmarks"]
    for bid, b in report["eval"].items():
        assert b["n"] > 0, f"{bid}: nothing scored"
    write_model_card(adapter, suite)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work = args.work or args.out.with_suffix(".run")
    report: dict = {"model": args.model, "ok": False}
    start = time.monotonic()
    try:
        with Timer(report, "load"):
            check_device(report, args.model)
        with Timer(report, "train"):
            adapter = train(report, args, work)
        with Timer(report, "eval"):
            evaluate_adapter(report, args, adapter, work)
        report["ok"] = True
    except Exception as e:  # the JSON must say what failed
        report["error"] = f"{type(e).__name__}: {e}"
        report["traceback"] = traceback.format_exc()[-4000:]
    report["seconds"]["total"] = round(time.monotonic() - start, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({k: report.get(k) for k in ("ok", "error", "seconds", "device")}, indent=2, default=str))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
