"""Trait scenarios: schema, template families, building, splitting, import and export."""
