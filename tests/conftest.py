"""pytest setup for the notebook tests: the kernel's PATH, the per-cell timeout, a header
saying which optional tools are present, and --nb, which selects notebooks."""
import importlib.util
import os
import subprocess

import pytest

from notebook_files import stems


def pytest_addoption(parser):
    parser.addoption("--nb", default="", metavar="NOTEBOOKS",
                     help='notebooks to test, by number, stem or path, separated by spaces: "05 07", '
                          "05_worker_pools, notebooks/05_worker_pools.ipynb (make's NB=)")


def selected_stems(nb_option, known):
    """The stems nb_option names (each word a number, stem or path, matched as a stem prefix);
    None for all. A word that matches no notebook is a usage error, not an empty run."""
    words = nb_option.split()
    if not words:
        return None
    chosen = set()
    for word in words:
        prefix = os.path.splitext(os.path.basename(word))[0]
        matches = {s for s in known if s.startswith(prefix)}
        if not matches:
            raise pytest.UsageError(f"--nb {word!r} (NB=) matches no notebook in notebooks/")
        chosen |= matches
    return chosen


def pytest_collection_modifyitems(config, items):
    chosen = selected_stems(config.getoption("--nb"), set(stems("ipynb")) | set(stems("md")))
    if chosen is None:
        return
    keep, drop = [], []
    for item in items:
        stem = getattr(item, "callspec", None) and item.callspec.params.get("stem")
        (keep if stem in chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_configure(config):
    # GoNB runs `go` and goimports from PATH; `make` adds Go's bin folder, a bare `pytest` may not.
    try:
        gobin = subprocess.run(["go", "env", "GOBIN", "GOPATH"], capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return  # no Go: the kernel tests fail and say so
    folder = gobin[0] or os.path.join(gobin[1], "bin")
    if folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")


def pytest_report_header(config):
    tools = ", ".join(f"{m} {'yes' if importlib.util.find_spec(m) else 'MISSING (its tests skip)'}"
                      for m in ("jupytext", "nbstripout"))
    return [f"notebooks: per-cell timeout {cell_timeout_seconds()}s (NB_CELL_TIMEOUT); {tools}"]


def cell_timeout_seconds():
    return int(os.environ.get("NB_CELL_TIMEOUT", "300"))


@pytest.fixture
def cell_timeout():
    """Seconds one cell may run before the test fails (env NB_CELL_TIMEOUT, default 300)."""
    return cell_timeout_seconds()
