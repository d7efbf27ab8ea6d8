"""A Hugging Face model card (README.md) for a trained adapter or merged checkpoint, with its results.

    write_model_card("runs/trait/adapter", "runs/trait/eval/results.json")

The card has hub metadata (YAML front matter: `library_name: peft` for adapters, `base_model`, tags), the
training config and git revision from `train_config.json` (looked up beside the folder), and one row per
benchmark. The weights are already safetensors (`grpo.save_adapter`), so the folder is ready for
`huggingface_hub.upload_folder(repo_id=..., folder_path=...)` or `model.push_to_hub(...)`; traitrl never
pushes by itself. Model text never enters the card, only numbers and ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from traitrl.files import atomic_write_text

CARD_TEMPLATE = """---
{front_matter}---

# {title}

Trained with [traitrl](https://github.com/) (beneficial-trait GRPO, after *RL Towards Broadly and
Persistently Beneficial Models*, 2026). Scores are oriented so that higher is more aligned.

## Training

{training}

## Evaluation ({model})

| benchmark | category | mean | 95% CI | n | missing |
| --- | --- | --- | --- | --- | --- |
{rows}
"""


def _results(results: Any) -> dict[str, Any]:
    if hasattr(results, "to_json"):
        return results.to_json()
    if isinstance(results, (str, Path)):
        return json.loads(Path(results).read_text(encoding="utf-8"))
    return dict(results)


def _cell(v: Any) -> str:
    return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v).replace("|", "/")


def write_model_card(adapter_dir: str | Path, results: Any, title: str | None = None) -> Path:
    """Write `adapter_dir/README.md` from `results` (SuiteResult, results.json path, or mapping)."""
    adapter_dir = Path(adapter_dir)
    data = _results(results)
    train_cfg_path = adapter_dir.parent / "train_config.json"
    train = json.loads(train_cfg_path.read_text()) if train_cfg_path.exists() else {}
    is_adapter = (adapter_dir / "adapter_config.json").exists()
    base = train.get("config", {}).get("model") or train.get("base_model")
    meta = ["library_name: peft" if is_adapter else "library_name: transformers", "tags:", "- traitrl", "- grpo",
            "- alignment"]
    if is_adapter:
        meta.append("- lora")
    if base and not Path(str(base)).is_absolute() and base != "embedded":
        meta.append(f"base_model: {base}")
    training = "\n".join(f"- `{k}`: `{v}`" for k, v in sorted(train.get("config", {}).items())) or "(no config)"
    if train.get("git_revision"):
        training += f"\n- git revision: `{train['git_revision']}`"
    rows = []
    for bid, b in sorted((data.get("benchmarks") or {}).items()):
        ci = b.get("ci")
        ci_text = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "n/a"
        rows.append(f"| {_cell(bid)} | {_cell(b.get('category'))} | {_cell(b.get('mean'))} | {ci_text} | "
                    f"{_cell(b.get('n'))} | {_cell(b.get('missing'))} |")
    card = CARD_TEMPLATE.format(front_matter="".join(line + "\n" for line in meta),
                                title=title or f"traitrl {train.get('config', {}).get('arm', 'policy')}",
                                training=training, model=_cell(data.get("model", "")), rows="\n".join(rows))
    atomic_write_text(adapter_dir / "README.md", card)
    return adapter_dir / "README.md"
