"""traitrl.catalog."""
