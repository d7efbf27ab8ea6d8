"""Pytest fixtures for grading tests."""

from __future__ import annotations

import pytest

from traitrl.types import Scenario

from .fixtures import RUBRIC, make_scenario


@pytest.fixture
def scenario() -> Scenario:
    return make_scenario(RUBRIC)
