"""traitrl.experiments."""
