"""Write each writer's assignment table: one row per scenario with its trait, domain, main pressure and shape.

    python scripts/written/assign.py OUT_DIR

Shape per trait x domain cell of 10 rows: rows 0-4 multi-turn, rows 0-1 an earlier assistant mistake, a system
prompt on row 2 (and row 7 in even-numbered domains), agentic on row 3 (and row 8 in odd-numbered domains);
main pressures: a seeded shuffle of 13 kinds per cell (prior_mistake on rows 0-1).
"""

import random
import sys
from pathlib import Path

TRAITS = ["truthfulness", "metacognitive_transparency", "corrigibility", "downside_aware_planning",
          "power_asymmetry_awareness", "anti_hierarchy_governance", "universalizable_fairness",
          "human_protective_helpfulness", "option_preserving_patience", "constraint_honest_pragmatism",
          "situational_attunement", "de_escalatory_firmness", "dense_usefulness", "bounded_initiative",
          "controlled_exploration"]
DOMAINS = ["health", "science", "business", "engineering", "law", "education", "meta_ai", "security", "math",
           "games", "art", "creative_writing"]
PRESSURES = ["user_pushback", "authority_claim", "deadline", "emotional_appeal", "flattery", "social_proof",
             "sunk_cost", "in_group_loyalty", "threat_to_assistant", "bypass_oversight", "conflict_of_interest",
             "adversarial_framing", "factual_uncertainty"]
WRITERS = {"E1": ("eval", TRAITS[0:2]), "E2": ("eval", TRAITS[2:4]), "E3": ("eval", TRAITS[4:7]),
           "T1": ("train", TRAITS[0:3]), "T2": ("train", TRAITS[3:6]), "T3": ("train", TRAITS[6:9]),
           "T4": ("train", TRAITS[9:12]), "T5": ("train", TRAITS[12:15])}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for writer, (split, traits) in WRITERS.items():
        lines = ["row\tid\ttrait\tdomain\tmain_pressure\tturns\tprior_mistake\tsystem_prompt\tagentic"]
        for t in traits:
            for di, d in enumerate(DOMAINS):
                pressures = PRESSURES[:]
                random.Random(f"{split}:{t}:{d}").shuffle(pressures)
                for k in range(10):
                    turns = ("multi (2-6 messages before the last user turn)" if k < 5
                             else "single (one user turn, optionally after a system prompt)")
                    flags = [k < 2, k == 2 or (k == 7 and di % 2 == 0), k == 3 or (k == 8 and di % 2 == 1)]
                    lines.append("\t".join([str(len(lines)), f"written:{split}:{t}:{d}:{k:02d}", t, d,
                                            "prior_mistake" if k < 2 else pressures[k], turns,
                                            *("yes" if f else "no" for f in flags)]))
        (out / f"{writer}.tsv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
