from __future__ import annotations

import json

import pytest

from .samples import SAMPLE_PAGE


@pytest.fixture
def sample_page() -> dict:
    return json.loads(SAMPLE_PAGE.read_text(encoding="utf-8"))
