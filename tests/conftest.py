from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "gold").is_dir():
        pytest.skip(f"real report corpus not found at {CORPUS} (../shared is absent on this checkout)")
    return CORPUS
