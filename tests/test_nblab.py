"""nblab's rules that need no notebook: when GoNB says a cell's program failed."""
import json
import os

import pytest

import nblab

SAMPLES = os.path.join(nblab.ROOT, "internal", "browsertest", "testdata", "gonb_exit_samples.json")
with open(SAMPLES) as f:
    EXIT_SAMPLES = json.load(f)


@pytest.mark.parametrize("sample", EXIT_SAMPLES, ids=[s["why"] for s in EXIT_SAMPLES])
def test_exit_rule_agrees_with_the_browser_tests(sample):
    """The same samples hold internal/browsertest's exitLine to the same rule (TestExitLineOnTheSharedSamples)."""
    assert bool(nblab.EXIT_RE.search(sample["stderr"])) == sample["failed"], sample["why"]
