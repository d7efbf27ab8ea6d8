"""traitrl.training."""
