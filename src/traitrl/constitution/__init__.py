"""The constitution arm: one written document of principles instead of per-scenario rubrics."""
