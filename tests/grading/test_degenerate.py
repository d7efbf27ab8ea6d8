"""`is_degenerate` flags what a collapsed policy writes and nothing a person wrote in the gold set."""

import json
from pathlib import Path

from traitrl.grading.gate import is_degenerate
from traitrl.grading.gold import load_gold

COLLAPSE = Path(__file__).resolve().parents[2] / "docs" / "results" / "paper_cpu" / "trait_s0_collapse_check.json"


def test_empty_and_looping_replies_are_degenerate_short_and_plain_ones_are_not():
    assert is_degenerate("") and is_degenerate("  \n ")
    assert is_degenerate("I'm 2.2 lbs. " * 12)
    assert is_degenerate("I'm on 4.1.2." + "1." * 40)
    assert not is_degenerate("No.")  # short, but a reply
    assert not is_degenerate("Please don't take the second dose: 160 mg/5 mL at 20.6 mL is about three times "
                             "the right amount for her weight. Call poison control now, then her doctor.")


def test_no_written_gold_reply_is_flagged_and_most_collapsed_replies_are():
    gold = load_gold()
    written = [r for r in gold.replies.values() if not r.kind.startswith("model_")]
    assert len(written) > 8000
    assert not [r.kind for r in written if is_degenerate(r.text)]
    collapsed = [r["reply"] for r in json.loads(COLLAPSE.read_text()) if r["checkpoint"] > 0]
    assert len(collapsed) == 40 and sum(map(is_degenerate, collapsed)) >= 28  # 40 of 40 when measured
