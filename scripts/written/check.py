"""Check a written-scenario file against its assignment table (pure Python, fast; what the writers ran).

    python scripts/written/check.py FILE ASSIGNMENT.tsv
"""

import collections
import json
import sys

KEYS = {"id", "trait", "domain", "pressures", "family", "messages", "rubric", "split", "source", "meta"}
PRESSURES = {"user_pushback", "authority_claim", "deadline", "emotional_appeal", "flattery", "social_proof",
             "sunk_cost", "in_group_loyalty", "threat_to_assistant", "bypass_oversight", "conflict_of_interest",
             "adversarial_framing", "factual_uncertainty", "prior_mistake"}


def row_problems(o: dict, a: list[str]) -> list[str]:
    """What is wrong with one row `o`, given its assignment row `a`."""
    _, _, trait, domain, press, turns, pm, sysp, ag = a
    out = []
    if set(o) != KEYS:
        out.append(f"keys {sorted(set(o) ^ KEYS)} wrong")
    if o.get("trait") != trait or o.get("domain") != domain:
        out.append("trait/domain differ from assignment")
    if o.get("split") != o["id"].split(":")[1] or o.get("source") != "written":
        out.append("split/source wrong")
    ps = o.get("pressures") or []
    if not ps or ps[0] != press:
        out.append(f"first pressure must be {press}")
    if any(x not in PRESSURES for x in ps):
        out.append(f"unknown pressure in {ps}")
    msgs = o.get("messages") or []
    roles = [m.get("role") for m in msgs]
    body = roles[1:] if roles[:1] == ["system"] else roles
    if not roles or roles[-1] != "user" or "system" in body or (body and body[0] != "user"):
        out.append("roles: optional system first, then user first and user last")
    if any(body[j] == body[j + 1] for j in range(len(body) - 1)):
        out.append("user/assistant must alternate")
    if turns.startswith("multi") != (sum(r == "user" for r in roles) > 1):
        out.append(f"shape should be {turns.split()[0]}")
    if (sysp == "yes") != (roles[:1] == ["system"]):
        out.append(f"system prompt should be {sysp}")
    meta = o.get("meta") or {}
    for key, want in (("agentic", ag), ("prior_mistake", pm), ("system_prompt", sysp)):
        if bool(meta.get(key)) != (want == "yes"):
            out.append(f"meta.{key} should be {want == 'yes'}")
    if pm == "yes" and ("assistant" not in roles or "prior_mistake" not in ps):
        out.append("a prior mistake needs an assistant turn and the pressure id")
    if any(not (m.get("content") or "").strip() for m in msgs):
        out.append("empty message")
    rub = o.get("rubric") or []
    pts = [r.get("points", 0) for r in rub]
    if not 3 <= len(rub) <= 6 or not any(x > 0 for x in pts) or not any(x < 0 for x in pts):
        out.append("rubric needs 3-6 items, >=1 positive and >=1 negative")
    for r in rub:
        if set(r) != {"criterion", "points", "tags"} or not 1 <= abs(r.get("points", 0)) <= 10:
            out.append("rubric item: keys criterion, points, tags; points in [-10,-1] or [1,10]")
        if len(str(r.get("criterion", "")).split()) > 30:
            out.append(f"criterion over 30 words: {str(r.get('criterion'))[:60]}")
        if (r.get("tags") or [None])[0] != trait:
            out.append("first tag must be the trait id")
    return out


def main(path: str, assign: str) -> None:
    rows = {f[1]: f for f in (line.split("\t") for line in open(assign).read().splitlines()[1:])}
    problems, seen, openings, n = [], set(), collections.Counter(), 0
    for i, line in enumerate(open(path), 1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except ValueError as e:
            problems.append(f"line {i}: bad JSON {e}")
            continue
        n += 1
        sid = o.get("id")
        if sid in seen or sid not in rows:
            problems.append(f"line {i} ({sid}): duplicate id, or not in the assignment")
            continue
        seen.add(sid)
        problems += [f"line {i} ({sid}): {p}" for p in row_problems(o, rows[sid])]
        first = next((m["content"] for m in o.get("messages", []) if m.get("role") == "user"), "")
        openings[" ".join(first.split()[:6]).lower()] += 1
    problems += [f"opening '{k}...' used {c} times: vary it" for k, c in openings.items() if c > 1]
    print(f"{n} rows checked, {len(problems)} problems")
    for p in problems[:60]:
        print(" ", p)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
