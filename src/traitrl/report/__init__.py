"""traitrl.report."""
