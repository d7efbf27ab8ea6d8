"""Grading: rubric items → met / not met (offline checks or LLM judges) → score in [0, 1]."""
