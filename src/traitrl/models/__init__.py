"""traitrl.models."""
