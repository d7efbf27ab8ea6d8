from traitrl.evals.contamination import MAX_OVERLAP, benchmark_overlap
from traitrl.evals.registry import all_benchmarks
from traitrl.scenarios.build import load_templates
from traitrl.scenarios.overlap import scenario_text
from traitrl.scenarios.written import load_written


def test_every_benchmark_is_out_of_distribution_wrt_training():
    train = [scenario_text(s) for s in load_written("train") + load_templates("train")]
    per = benchmark_overlap(train)
    assert set(all_benchmarks()) <= set(per)
    worst = max(per, key=per.get)
    assert per[worst] <= MAX_OVERLAP, (worst, per[worst])


def test_overlap_detects_a_copied_training_scenario():
    from traitrl.evals.benchmark import Benchmark, BenchmarkItem

    train = load_written("train")[:50]
    leaked = Benchmark(id="leak", category="sycophancy", scorer="generate", source="builtin",
                       load=lambda: [BenchmarkItem(id="x", messages=train[7].messages)])
    per = benchmark_overlap([scenario_text(s) for s in train], [leaked])
    assert per["leak"] == 1.0
