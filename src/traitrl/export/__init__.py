"""Exports for other RL frameworks (verl, OpenRLHF on Ray clusters)."""
