"""pytest setup for the notebook tests: the kernel's PATH, the per-cell timeout, a header
saying which optional tools are present."""
import importlib.util
import os
import subprocess

import pytest


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
