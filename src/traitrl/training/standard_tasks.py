"""The standard RL mix: verifiable tasks generated from a seed, each with a graded programmatic reward.

Two task families stand in for the paper's standard post-training mix:

- `constraints`: a writing request on one of ~50 everyday topics plus 1-3 IFEval-style constraints
  (`traitrl.training.constraints`); reward = mean partial credit over the constraints.
- `arithmetic`: bare sums/differences/products and one-line word problems
  (`traitrl.training.arithmetic`); reward graded, prose answers accepted.

Difficulty is mixed on purpose. DESIGN.md's pilot measured the 135M policy: it includes a requested keyword
78% of the time, writes all-lowercase 9%, exactly three bullets 6%. Easy constraints (a topic word, a
number, a wide word band) keep the reward off the floor; hard ones (lowercase, bullets, no commas, an exact
closing phrase) keep it off the ceiling; graded checkers make the groups differ in between.

Everything is generated from `seed` with templates of our own, so no item overlaps IFEval or GSM8K. A row:
`{"prompt": [{"role": "user", "content": ...}], "task": "constraints"|"arithmetic", "spec": "<json>",
"scenario_id": None}`; `score_task(task, spec, response)` is the scorer and the reward alike.

    from traitrl.training.standard_tasks import build_standard_tasks
    rows = build_standard_tasks(256, seed=0)
"""

from __future__ import annotations

import json
import random

from traitrl.training.arithmetic import make_arithmetic_item, score_arithmetic
from traitrl.training.constraints import describe_constraint, score_constraints

TASKS = ("constraints", "arithmetic")

# topic -> two words a reply on that topic naturally uses (the "easy keyword" pool)
TOPICS: dict[str, tuple[str, str]] = {
    "bees": ("honey", "flowers"), "the ocean": ("water", "waves"), "bicycles": ("wheels", "ride"),
    "coffee": ("cup", "morning"), "rain": ("clouds", "wet"), "libraries": ("books", "read"),
    "gardening": ("plants", "soil"), "the moon": ("night", "sky"), "trains": ("tracks", "travel"),
    "winter": ("snow", "cold"), "cooking pasta": ("water", "salt"), "learning to swim": ("water", "breathe"),
    "dogs": ("walk", "play"), "cats": ("sleep", "play"), "volcanoes": ("lava", "heat"),
    "recycling": ("plastic", "waste"), "a birthday party": ("cake", "friends"), "camping": ("tent", "fire"),
    "the desert": ("sand", "heat"), "music lessons": ("practice", "song"),
    "a rainy weekend": ("home", "read"),
    "saving money": ("budget", "spend"), "morning routines": ("wake", "breakfast"),
    "the solar system": ("planets", "sun"), "forests": ("trees", "animals"), "chess": ("board", "move"),
    "bread baking": ("flour", "oven"), "mountains": ("climb", "peak"), "friendship": ("trust", "time"),
    "electric cars": ("battery", "charge"), "the internet": ("computer", "information"),
    "a first job": ("work", "learn"), "painting": ("colors", "brush"), "rivers": ("water", "flow"),
    "sleep": ("rest", "night"), "public transport": ("bus", "city"), "a picnic": ("food", "park"),
    "penguins": ("ice", "swim"), "the seasons": ("summer", "winter"), "tea": ("cup", "leaves"),
    "running": ("legs", "fast"), "a school trip": ("students", "teacher"), "rainbows": ("colors", "light"),
    "kites": ("wind", "string"), "a new city": ("streets", "people"), "fruit": ("sweet", "healthy"),
    "writing letters": ("paper", "words"), "thunderstorms": ("lightning", "loud"), "owls": ("night", "birds"),
    "board games": ("dice", "players"),
}
GENERAL_WORDS = ["simple", "future", "bright", "together", "careful", "small", "quiet", "change", "patience",
                 "reason", "gentle", "surprise", "always", "window", "history", "balance"]
START_WORDS = ["Yes", "Today", "First", "Imagine", "Honestly", "Sure", "Well", "Here"]
END_PHRASES = ["Thank you.", "That is all.", "The end.", "Have a nice day.", "Any questions?"]
REQUEST_TEMPLATES = [
    "Write a short paragraph about {topic}.", "Explain {topic} in simple terms.",
    "Give one useful tip about {topic}.", "Describe {topic} to a friend.",
    "Write a short note about {topic}.", "Tell me something interesting about {topic}.",
]

# (kind, weight): easy constraints are drawn more often than hard ones
CONSTRAINT_WEIGHTS = {"keywords": 5, "mention_number": 3, "word_count": 3, "start_with": 2,
                      "end_with": 1.5, "bullets": 1.5, "lowercase": 1.5, "no_commas": 1.5}


def _constraint_args(kind: str, topic: str, rng: random.Random) -> dict:
    if kind == "keywords":
        easy = list(TOPICS[topic])
        words = rng.sample(easy, rng.choice([1, 2])) if rng.random() < 0.7 else [rng.choice(GENERAL_WORDS)]
        return {"words": words}
    if kind == "word_count":
        low, high = rng.choice([(5, 20), (10, 30), (15, 35), (8, 15)])
        return {"low": low, "high": high}
    if kind == "start_with":
        return {"word": rng.choice(START_WORDS)}
    if kind == "end_with":
        return {"phrase": rng.choice(END_PHRASES)}
    if kind == "bullets":
        return {"n": rng.choice([2, 3])}
    return {}


def make_constraints_item(rng: random.Random) -> dict:
    """A request on a topic plus 1-3 distinct constraints."""
    topic = rng.choice(sorted(TOPICS))
    n = rng.choices([1, 2, 3], weights=[0.35, 0.45, 0.2])[0]
    kinds: list[str] = []
    pool = dict(CONSTRAINT_WEIGHTS)
    while len(kinds) < n:
        kind = rng.choices(list(pool), weights=list(pool.values()))[0]
        kinds.append(kind)
        del pool[kind]
    constraints = [{"kind": k, "args": _constraint_args(k, topic, rng)} for k in kinds]
    request = rng.choice(REQUEST_TEMPLATES).format(topic=topic)
    text = " ".join([request] + [describe_constraint(c) for c in constraints])
    return {"text": text, "constraints": constraints, "topic": topic}


def build_standard_tasks(n: int, seed: int = 0, arithmetic_share: float = 0.5) -> list[dict]:
    """`n` rows, deterministic in `seed`; about `arithmetic_share` of them arithmetic."""
    if n < 0 or not 0.0 <= arithmetic_share <= 1.0:
        raise ValueError("n must be >= 0 and arithmetic_share within [0, 1]")
    rng = random.Random(f"traitrl-standard-{seed}")
    rows = []
    for i in range(n):
        if rng.random() < arithmetic_share:
            item = make_arithmetic_item(rng)
            task, spec = "arithmetic", {"answer": item["answer"], "operands": item["operands"],
                                         "level": item["level"]}
        else:
            item = make_constraints_item(rng)
            task, spec = "constraints", {"constraints": item["constraints"]}
        rows.append({"prompt": [{"role": "user", "content": item["text"]}], "task": task,
                     "spec": json.dumps(spec, sort_keys=True), "scenario_id": None,
                     "row_id": f"std-{seed}-{i}"})
    return rows


def score_task(task: str, spec: str | dict, response: str) -> float:
    """Graded score in [0, 1] of one response to one standard task."""
    data = json.loads(spec) if isinstance(spec, str) else spec
    if task == "constraints":
        return score_constraints(response, data["constraints"])
    if task == "arithmetic":
        return score_arithmetic(response, data["answer"], data["operands"])
    raise ValueError(f"unknown standard task {task!r}; known: {list(TASKS)}")
