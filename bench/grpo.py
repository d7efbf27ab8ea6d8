"""(c) One GRPO step: traitrl `train_arm` vs vanilla TRL `GRPOTrainer` with its defaults on CPU.

Same 8-prompt dataset (chat prompts), same reward function, 2 prompts x 4 generations = 8 completions of at
most 48 tokens per step, same LoRA (r=16, alpha=32, all-linear), learning rate, seed. The TRL side gets the
model as a path, so TRL loads it its default way (fp32 here), and keeps TRL's default threads; its default
`bf16=True` autocasts training to bf16, which a CPU without native bf16 emulates, so a second TRL side
(`trl_fp32`, `bf16=False`) is timed too and `ratio_best_trl` divides by the faster of the two. traitrl runs
`train_arm` with its config defaults (bf16 policy) and `torch_threads` = the idle cores
(`traitrl.models.cpu.cpu_threads`, the setting its config recommends on a shared CPU).
traitrl also samples `GENERATION_STEPS` optimizer steps' rollouts in one generate call (its
`generation_steps` setting), so its steps are uneven; step time is therefore the mean interval between
optimizer-step ends over whole generation cycles after the first step (a warm-up): TRL runs `steps` steps,
traitrl 1 + 2 x GENERATION_STEPS.
"""

from __future__ import annotations

import statistics
import tempfile
import time

from bench.env import load

PROMPTS = ["Explain why the sky is blue in two sentences.", "Give three tips for learning to cook.",
           "What is 7 + 5? Explain briefly.", "Describe a cat to someone who has never seen one.",
           "Write a haiku about rain.", "How should I prepare for a job interview?",
           "Summarise the water cycle.", "Suggest a name for a small bakery and say why."]
GENERATIONS, PROMPTS_PER_STEP, COMPLETION, LR = 4, 2, 48, 1e-4
GENERATION_STEPS = 4


class StepClock:
    """A reward function (graded: length and vocabulary) that records the load at each call, plus the
    optimizer-step ends that `_step_callback` reports."""

    __name__ = "bench_reward"

    def __init__(self) -> None:
        self.loads: list[float] = []
        self.step_ends: list[float] = []

    def __call__(self, prompts, completions, **kwargs) -> list[float]:
        self.loads.append(load()[0])
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        return [min(len(set(t.split())), 30) / 30 for t in texts]

    def step_end(self) -> None:
        self.step_ends.append(time.perf_counter())

    def step_seconds(self) -> list[float]:
        """Mean seconds per optimizer step after the first (one value per run, as a list for the table)."""
        ends = self.step_ends
        return [round((ends[-1] - ends[0]) / (len(ends) - 1), 2)] if len(ends) > 1 else []


def _step_callback(clock: StepClock):
    from transformers import TrainerCallback

    class StepEnd(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            clock.step_end()

    return StepEnd()


def _rows(steps: int) -> list[dict]:
    n = steps * PROMPTS_PER_STEP
    return [{"prompt": [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}]} for i in range(n)]


def _traitrl(steps: int, out: str) -> tuple[StepClock, dict]:
    from traitrl.models.cpu import cpu_threads
    from traitrl.training.config import TrainConfig
    from traitrl.training.grpo import train_arm

    threads = cpu_threads()
    steps = 1 + 2 * GENERATION_STEPS
    cfg = TrainConfig(steps=steps, learning_rate=LR, num_generations=GENERATIONS, prompts_per_step=PROMPTS_PER_STEP,
                      max_completion_length=COMPLETION, save_steps=10_000, resume=False, torch_threads=threads,
                      generation_steps=GENERATION_STEPS)
    clock = StepClock()
    train_arm(cfg, _rows(steps), [clock], out, callbacks=[_step_callback(clock)])
    return clock, {"dtype": cfg.dtype, "torch_threads": threads, "generation_steps": GENERATION_STEPS,
                   "steps": steps}


def _trl(steps: int, out: str, bf16: bool = True) -> tuple[StepClock, dict]:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer

    from traitrl.models.embedded import policy_path

    args = GRPOConfig(output_dir=out, max_steps=steps, learning_rate=LR, per_device_train_batch_size=8,
                      num_generations=GENERATIONS, max_completion_length=COMPLETION, seed=0, use_cpu=True,
                      report_to="none", save_strategy="no", logging_steps=1, disable_tqdm=True, bf16=bf16)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    clock = StepClock()
    trainer = GRPOTrainer(model=str(policy_path()), reward_funcs=[clock], args=args,
                          train_dataset=Dataset.from_list(_rows(steps)), peft_config=lora,
                          callbacks=[_step_callback(clock)])
    trainer.train()
    return clock, {"dtype": str(trainer.model.dtype), "bf16_autocast": bf16, "torch_threads": torch.get_num_threads()}


def run(steps: int = 4, rounds: int = 1) -> dict:
    import torch

    threads_before = torch.get_num_threads()
    sides = {"traitrl": _traitrl, "trl_default": _trl, "trl_fp32": lambda n, out: _trl(n, out, bf16=False)}
    runs: dict[str, list[dict]] = {k: [] for k in sides}
    for r in range(rounds):
        for name in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
            with tempfile.TemporaryDirectory() as tmp:
                clock, info = sides[name](steps, tmp)
            torch.set_num_threads(threads_before)  # train_arm sets the process-wide count
            runs[name].append({**info, "step_seconds": clock.step_seconds(), "load1": clock.loads})
    med = {k: statistics.median(s for run in v for s in run["step_seconds"]) for k, v in runs.items()}
    return {"setup": {"completions_per_step": GENERATIONS * PROMPTS_PER_STEP, "max_completion_length": COMPLETION,
                      "timed_steps_per_run": steps - 1, "lora_r": 16},
            "runs": runs, "median_step_s": med, "ratio": round(med["traitrl"] / med["trl_default"], 2),
            "ratio_best_trl": round(med["traitrl"] / min(med["trl_default"], med["trl_fp32"]), 2),
            "goal": "traitrl step <= 0.35x TRL's (issue 20)"}


def breakdown(repeats: int = 2) -> dict:
    """Where a step's time goes: rollout generation vs policy forward+backward, bf16 vs fp32 LoRA model.

    Same shapes as a step (8 completions x 48 tokens), LoRA wrapped as the trainers wrap it, interleaved."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from traitrl.models.cpu import cpu_threads
    from traitrl.models.cpu_dtype import probe
    from traitrl.models.embedded import policy_path

    path = str(policy_path())
    tok = AutoTokenizer.from_pretrained(path)
    tok.padding_side = "left"
    prompts = [tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True,
                                       tokenize=False) for p in PROMPTS[:PROMPTS_PER_STEP]]
    enc = tok([p for p in prompts for _ in range(GENERATIONS)], return_tensors="pt", padding=True)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    # bf16 only where the CPU computes it natively: emulated (AVX2 only), its four passes took ~15 minutes
    dtypes = ["bfloat16", "float32"] if probe()["dtype"] == "bfloat16" else ["float32"]  # measured
    models = {d: get_peft_model(AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, d)), lora)
              for d in dtypes}
    before, out = torch.get_num_threads(), {}
    for _ in range(repeats):
        for threads in sorted({1, before}):
            torch.set_num_threads(threads)
            for d, m in models.items():
                key = f"{d}/{threads}t"
                t = time.perf_counter()
                with torch.no_grad():
                    seqs = m.generate(**enc, do_sample=True, max_new_tokens=COMPLETION, min_new_tokens=COMPLETION,
                                      pad_token_id=tok.pad_token_id)
                gen = time.perf_counter() - t
                t = time.perf_counter()
                m.train()
                loss = m(input_ids=seqs, labels=seqs).loss
                loss.backward()
                m.zero_grad()
                m.eval()
                fb = time.perf_counter() - t
                row = out.setdefault(key, {"generate_s": [], "fwd_bwd_s": [], "load1": []})
                row["generate_s"].append(round(gen, 2))
                row["fwd_bwd_s"].append(round(fb, 2))
                row["load1"].append(load()[0])
    torch.set_num_threads(before)
    return {"shapes": f"{GENERATIONS * PROMPTS_PER_STEP} x {COMPLETION} new tokens", "idle_threads_now": cpu_threads(),
            "by_dtype_threads": out}
