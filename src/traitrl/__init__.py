"""traitrl: beneficial-trait reinforcement learning and its measurement.

An open implementation of the method of *Reinforcement Learning Towards Broadly and Persistently Beneficial
Models* (Jagadeesh et al., 2026): trait scenarios with per-scenario rubrics, rubric rewards for GRPO, a broad
alignment suite with honest statistics, and persistence tests.
"""

__version__ = "0.1.0"
