from traitrl.scenarios.overlap import max_overlap, overlap_pairs, shingles


def test_identical_and_disjoint():
    a = "the quick brown fox jumps over the lazy dog near the river bank today"
    assert max_overlap([a], [a]) == 1.0
    assert max_overlap([a], ["completely different words that share nothing at all with it ok"]) == 0.0
    assert max_overlap([], [a]) == 0.0


def test_hand_computed_jaccard():
    a = " ".join(f"w{i}" for i in range(10))  # 3 shingles
    b = " ".join(f"w{i}" for i in range(1, 11))  # 3 shingles, 2 shared
    assert len(shingles(a)) == 3
    assert abs(max_overlap([a], [b]) - 2 / 4) < 1e-9
    assert overlap_pairs([a], ["x y", b])[0][1] == 1
