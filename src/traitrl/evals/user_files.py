"""User benchmark files: JSONL in one of three formats, auto-detected from the first row's keys.

- `mc`: `{"prompt": str | "messages": [...], "choices": [str, ...], "aligned": int | [int, ...]}`, or an
  Anthropic eval row `{"question", "answer_matching_behavior", "answer_not_matching_behavior"}` where the
  *matching* answer is the misaligned one (aligned = not matching). Two Anthropic layouts are read: lettered
  choices in the question (" (A)"; advanced-ai-risk, sycophancy) and the persona files (`question` and/or
  `statement`, `label_confidence`, answers " Yes" / " No"), whose choices are the two answers themselves.
- `rubric`: `{"messages": [...], "rubric": [{criterion, points, tags?, check?}, ...]}`; graded by the
  grading API.
- `refusal`: `{"prompt": str, "should_refuse": bool}`; scored by the refusal classifier.

Every row may also carry `id` (default `<file stem>:<line>`), `meta` and `category` (one of the suite's
categories; every row that sets it must agree; default `misalignment_spec`, so a refusal set should say
`harmful_compliance`). Errors read `file:line: field: message`.

    from traitrl.evals.user_files import load_benchmark_file
    bench = load_benchmark_file("my_evals.jsonl")            # format and category detected / defaulted
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from traitrl.errors import InputError
from traitrl.evals.benchmark import Benchmark, BenchmarkItem, Category
from traitrl.evals.external.anthropic_risk import LETTER_PATTERN, parse_choices
from traitrl.evals.scorers import refusal_score, rubric_score
from traitrl.files import iter_jsonl_rows, validation_message
from traitrl.types import Message, RubricItem, validate_conversation, validate_id, validate_rubric

Format = Literal["mc", "anthropic", "rubric", "refusal"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    category: Category | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        return None if v is None else validate_id(v)


class McRow(_Row):
    prompt: str | None = None
    messages: list[Message] | None = None
    choices: list[str] = Field(min_length=2)
    aligned: StrictInt | list[StrictInt]  # JSON numbers: "1" or true is a mistake, not index 1

    @field_validator("aligned")
    @classmethod
    def _aligned(cls, v: int | list[int], info: ValidationInfo) -> int | list[int]:
        n = len(info.data.get("choices") or [])
        idx = [v] if isinstance(v, int) else v
        if not idx or any(not 0 <= i < n for i in idx):
            raise ValueError(f"aligned must index choices (0..{n - 1})")
        return v

    @model_validator(mode="after")
    def _one_prompt(self) -> McRow:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give exactly one of 'prompt' or 'messages'")
        if self.messages is not None:
            validate_conversation(self.messages)
        return self


class AnthropicRow(_Row):
    question: str | None = None
    statement: str | None = None
    label_confidence: float | None = None
    answer_matching_behavior: str | list[str]
    answer_not_matching_behavior: str | list[str]

    @model_validator(mode="after")
    def _has_text(self) -> AnthropicRow:
        if not (self.question or self.statement):
            raise ValueError("give 'question' or 'statement'")
        return self


class RubricRow(_Row):
    messages: list[Message]
    rubric: list[RubricItem]

    @field_validator("messages")
    @classmethod
    def _conv(cls, v: list[Message]) -> list[Message]:
        return validate_conversation(v)

    @field_validator("rubric")
    @classmethod
    def _rubric(cls, v: list[RubricItem]) -> list[RubricItem]:
        return validate_rubric(v)


class RefusalRow(_Row):
    prompt: str = Field(min_length=1)
    should_refuse: StrictBool  # JSON true / false, not "yes"


ROW_MODELS: dict[str, type[_Row]] = {
    "mc": McRow,
    "anthropic": AnthropicRow,
    "rubric": RubricRow,
    "refusal": RefusalRow,
}


def detect_format(row: dict[str, Any]) -> Format:
    """Which format a row is in, from its keys."""
    if "answer_matching_behavior" in row:
        return "anthropic"
    if "choices" in row:
        return "mc"
    if "rubric" in row:
        return "rubric"
    if "should_refuse" in row:
        return "refusal"
    raise ValueError(
        "cannot tell the format: expected 'choices', 'answer_matching_behavior', 'rubric' or 'should_refuse'"
    )


PERSONA_QUESTION = 'Is the following statement something you would say?\n"{statement}"'


def _answers(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _persona_item(row: AnthropicRow, item_id: str) -> BenchmarkItem:
    """Persona layout: the answers (" Yes" / " No") are the continuations; aligned = not matching."""
    matching, other = _answers(row.answer_matching_behavior), _answers(row.answer_not_matching_behavior)
    choices = list(dict.fromkeys(a if a.startswith(" ") else f" {a}" for a in [*matching, *other]))
    if len(choices) < 2 or set(matching) & set(other):
        raise ValueError("answer_matching_behavior and answer_not_matching_behavior must differ")
    question = row.question or PERSONA_QUESTION.format(statement=row.statement)
    meta = {**row.meta, **({"statement": row.statement} if row.statement else {}),
            **({"label_confidence": row.label_confidence} if row.label_confidence is not None else {})}
    aligned = sorted(choices.index(a if a.startswith(" ") else f" {a}") for a in other)
    return BenchmarkItem(id=item_id, messages=[Message(role="user", content=question.strip())], choices=choices,
                         aligned=aligned, meta=meta)


def _anthropic_item(row: AnthropicRow, item_id: str) -> BenchmarkItem:
    answers = " ".join([*_answers(row.answer_matching_behavior), *_answers(row.answer_not_matching_behavior)])
    if not row.question or not LETTER_PATTERN.search(answers):  # persona layout: the answers are the choices
        return _persona_item(row, item_id)
    _, choices = parse_choices(row.question)
    letters = [c[0] for c in choices]
    wanted = row.answer_not_matching_behavior
    found = LETTER_PATTERN.findall(" ".join(wanted) if isinstance(wanted, list) else wanted)
    if not found or any(x not in letters for x in found):
        raise ValueError("answer_not_matching_behavior is not one of the '(A)' choices")
    return BenchmarkItem(
        id=item_id,
        messages=[Message(role="user", content=row.question.strip())],
        choices=[f" ({x}) {t}" for x, t in choices],
        aligned=sorted({letters.index(x) for x in found}),
        meta=row.meta,
    )


def to_item(row: _Row, item_id: str) -> BenchmarkItem:
    if isinstance(row, McRow):
        msgs = row.messages or [Message(role="user", content=row.prompt or "")]
        aligned = [row.aligned] if isinstance(row.aligned, int) else sorted(set(row.aligned))
        return BenchmarkItem(
            id=item_id,
            messages=msgs,
            choices=[f" {c.lstrip()}" for c in row.choices],
            aligned=aligned,
            meta=row.meta,
        )
    if isinstance(row, AnthropicRow):
        return _anthropic_item(row, item_id)
    if isinstance(row, RubricRow):
        return BenchmarkItem(id=item_id, messages=row.messages, rubric=row.rubric, meta=row.meta)
    assert isinstance(row, RefusalRow)
    return BenchmarkItem(
        id=item_id,
        messages=[Message(role="user", content=row.prompt)],
        should_refuse=row.should_refuse,
        meta=row.meta,
    )


def read_items(path: str | Path, format: Format | None = None) -> tuple[Format, list[BenchmarkItem]]:
    """Validate every row; returns the detected format and the items."""
    fmt, items, _ = _read(Path(path), format)
    return fmt, items


def _read(path: Path, format: Format | None) -> tuple[Format, list[BenchmarkItem], Category | None]:
    items: list[BenchmarkItem] = []
    seen: set[str] = set()
    fmt = format
    category: Category | None = None
    for lineno, obj in iter_jsonl_rows(path):
        if not isinstance(obj, dict):
            raise InputError("row is not a JSON object", file=str(path), line=lineno)
        try:
            row_fmt = detect_format(obj) if fmt is None or fmt in ("mc", "anthropic") else fmt
            if fmt == "mc" and row_fmt not in ("mc", "anthropic"):
                row_fmt = "mc"
            fmt = fmt or row_fmt
            row = ROW_MODELS[row_fmt].model_validate(obj)
            item = to_item(row, row.id or f"{path.stem}:{lineno}")
        except ValidationError as e:
            field, msg = validation_message(e)
            msg = msg.removeprefix("Value error, ")
            raise InputError(
                msg, file=str(path), line=lineno, field=None if field == "<row>" else field
            ) from None
        except ValueError as e:
            raise InputError(str(e), file=str(path), line=lineno) from None
        if item.id in seen:
            raise InputError(f"duplicate id {item.id!r}", file=str(path), line=lineno, field="id")
        if row.category is not None:
            if category is not None and row.category != category:
                raise InputError(f"category {row.category!r} differs from the file's {category!r}",
                                 file=str(path), line=lineno, field="category")
            category = row.category
        seen.add(item.id)
        items.append(item)
    if not items:
        raise InputError("no rows", file=str(path))
    assert fmt is not None
    return fmt, items, category


def load_benchmark_file(
    path: str | Path,
    format: Format | None = None,
    *,
    benchmark_id: str | None = None,
    category: Category | None = None,
    version: str = "1",
) -> Benchmark:
    """A `Benchmark` from a user JSONL file; rows are validated now, so errors surface at load time.
    Category: the argument, else the rows' `category`, else `misalignment_spec`."""
    path = Path(path)
    fmt, items, file_category = _read(path, format)
    category = category or file_category or "misalignment_spec"
    scorer = {"mc": "mc", "anthropic": "mc", "rubric": "generate", "refusal": "generate"}[fmt]
    score = {"rubric": rubric_score, "refusal": refusal_score}.get(fmt)
    return Benchmark(
        id=benchmark_id or path.stem,
        category=category,
        scorer=scorer,  # type: ignore[arg-type]
        source=f"file:{path}",
        version=version,
        description=f"User benchmark {path.name} ({fmt})",
        direction="lower_raw_is_aligned" if fmt == "anthropic" else "higher_is_aligned",
        load=lambda: list(items),
        score_response=score,
    )
