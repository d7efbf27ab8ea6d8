"""traitrl.evals."""
