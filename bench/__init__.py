"""traitrl benchmarks: each comparison runs both sides in one process, interleaved, on the same inputs.

    make bench                      # or: python -m bench.run [--only a,b,c,d] [--mc-questions N] [--demo]
"""
