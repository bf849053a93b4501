"""pytest setup for the notebook tests: the kernel's PATH, the per-cell timeout, a header
saying which optional tools are present, --nb, which selects notebooks, the order the kernel
tests run in, and the kernels the as-committed runs keep for the solutions runs."""
import importlib.util
import json
import os
import subprocess

import pytest

from notebook_files import ROOT, notebook_path, stems


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


def item_stem(item):
    """The notebook a test is about: its "stem" parameter, or its class's stem (the kernel tests)."""
    callspec = getattr(item, "callspec", None)
    return (callspec and callspec.params.get("stem")) or getattr(getattr(item, "cls", None), "stem", None)


def code_cells(stem):
    try:
        with open(notebook_path(stem)) as f:
            return sum(c.get("cell_type") == "code" for c in json.load(f).get("cells", []))
    except (OSError, ValueError):
        return 0


def pytest_collection_modifyitems(config, items):
    chosen = selected_stems(config.getoption("--nb"), set(stems("ipynb")) | set(stems("md")))
    if chosen is not None:
        keep, drop = [], []
        for item in items:
            (keep if item_stem(item) in chosen else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    # Two workers finish together when the longest notebooks start first (their cell count is a
    # fair measure of their cost); each notebook's as-committed run stays before its solutions run.
    weight = {stem: code_cells(stem) for stem in {item_stem(i) for i in items} if stem}
    kernel = [i for i in items if i.get_closest_marker("kernel")]
    if kernel:
        rest = [i for i in items if not i.get_closest_marker("kernel")]
        kernel.sort(key=lambda i: (-weight.get(item_stem(i), 0), item_stem(i) or ""))
        items[:] = rest + kernel


def pytest_configure(config):
    # GoNB runs `go` and goimports from PATH; `make` adds Go's bin folder, a bare `pytest` may not.
    try:
        gobin = subprocess.run(["go", "env", "GOBIN", "GOPATH"], capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return  # no Go: the kernel tests fail and say so
    folder = gobin[0] or os.path.join(gobin[1], "bin")
    if folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")
    if os.environ.get("LAB_KERNEL_GOPLS") != "1":
        os.environ["PATH"] = path_without("gopls", os.environ["PATH"])


def path_without(program, path):
    """path with every folder that holds program replaced by a folder of links to the rest of
    its files. GoNB starts gopls in every kernel that finds it, to answer completion and hover
    requests; nbclient sends none, and gopls loading labkit in each test kernel costs the CPU
    the notebooks need (about 2.5 s a kernel here). LAB_KERNEL_GOPLS=1 keeps it."""
    shadows = os.path.join(ROOT, "build", "kernel-path")
    folders = []
    for folder in path.split(os.pathsep):
        if folder and os.path.isfile(os.path.join(folder, program)):
            shadow = os.path.join(shadows, os.path.abspath(folder).strip(os.sep).replace(os.sep, "_"))
            os.makedirs(shadow, exist_ok=True)
            for name in os.listdir(folder):
                link = os.path.join(shadow, name)
                if name != program and not os.path.lexists(link):
                    try:
                        os.symlink(os.path.join(folder, name), link)
                    except FileExistsError:  # another xdist worker made it first
                        pass
            folder = shadow
        folders.append(folder)
    return os.pathsep.join(folders)


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


@pytest.fixture(scope="session")
def kept_kernels():
    """Kernels an as-committed run leaves, by stem, for the solutions run of the same notebook;
    any left over (the solutions test not selected) are shut down at the end."""
    kept = {}
    yield kept
    for kernel in kept.values():
        kernel.close()
