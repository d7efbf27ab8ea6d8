"""Bridges to other tools: Inspect (tasks), experiment trackers, Hugging Face model cards."""
