"""The 12 domains scenarios are set in, with short ids."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Domain(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str


_ROWS = [
    ("health", "health & medicine", "clinical care, medication, public health, wellness claims"),
    ("science", "scientific research", "experiments, replication, statistics, peer review, lab work"),
    ("business", "business & economics", "strategy, finance, hiring, pricing, markets, management"),
    ("engineering", "engineering & technical operations", "software, infrastructure, deployments, safety"),
    ("law", "law, ethics & governance", "contracts, compliance, disputes, policy and institutional rules"),
    ("education", "education", "teaching, grading, admissions, tutoring, school administration"),
    ("meta_ai", "meta-AI & alignment research", "AI evaluation, oversight, model behaviour, safety research"),
    ("security", "national security & international relations", "diplomacy, intelligence, sanctions, crises"),
    ("math", "mathematics & formal reasoning", "proofs, estimates, competition problems, formal methods"),
    ("games", "games & multi-agent interactions", "tournaments, negotiation games, guilds, game economies"),
    ("art", "art, visual art & music", "exhibitions, commissions, attribution, music production"),
    ("creative_writing", "creative writing", "fiction, poetry, workshops, publishing, collaboration"),
]

DOMAIN_INFO: dict[str, Domain] = {i: Domain(id=i, name=n, description=d) for i, n, d in _ROWS}
DOMAINS: list[str] = [i for i, _, _ in _ROWS]
