"""The lab's notebooks, checked statically and run in a real GoNB kernel.

Every test is parametrized by notebook stem, so `pytest --nb 05` (make's NB=05) selects notebook 05.
Static tests need no kernel (`make check-notebooks`); the tests marked `kernel` execute a
notebook top to bottom in a fresh kernel (`make test-notebooks`) and leave the executed copy in
build/executed/ and GoNB's log in build/logs/.
"""
import importlib.util
import subprocess
import sys

import pytest

import nblab

NOTEBOOKS = nblab.stems("ipynb")
TEXT_SOURCES = nblab.stems("md")
EITHER = sorted(set(NOTEBOOKS) | set(TEXT_SOURCES))
BOTH = sorted(set(NOTEBOOKS) & set(TEXT_SOURCES))


def sync_command(stem):
    return f"make sync NB={stem}"


def requires(module):
    """Skips (visibly) where an optional tool is not installed: the Debian fallback has no PyPI."""
    return pytest.mark.skipif(
        importlib.util.find_spec(module) is None,
        reason=f"{module} is not installed for {sys.executable} (the Debian fallback has no PyPI; "
               "`make setup` with PyPI installs requirements-dev.txt)")


def checked(stem):
    """The parsed notebook, failing the test with every static problem it has."""
    nb, problems = nblab.static_problems(stem)
    assert not problems, f"notebooks/{stem}.ipynb: " + "; ".join(problems)
    return nb


# ---------------------------------------------------------------- static (no kernel)

@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_static_checks(stem):
    """Valid nbformat, kernelspec gonb, no outputs, bootstrap first, exercises well formed."""
    checked(stem)


@pytest.mark.parametrize("stem", EITHER)
def test_has_text_source(stem):
    md, ipynb = (nblab.rel(nblab.notebook_path(stem, e)) for e in ("md", "ipynb"))
    assert stem in TEXT_SOURCES, (f"{ipynb} has no text source {md}: write it with "
                                  f"`.venv/bin/jupytext --to md {ipynb}` and commit both")
    assert stem in NOTEBOOKS, f"{md} has no notebook {ipynb}: make it with `{sync_command(stem)}` and commit both"


@requires("jupytext")
@pytest.mark.parametrize("stem", BOTH)
def test_in_sync_with_text_source(stem):
    diffs = nblab.text_source_differences(stem)
    assert not diffs, (f"notebooks/{stem}.ipynb is out of sync with its text source notebooks/{stem}.md "
                       f"(the .md is what people edit): {'; '.join(diffs[:5])}. "
                       f"Sync it with: {sync_command(stem)}")


@pytest.fixture(scope="module")
def unstripped():
    """The notebooks `nbstripout --keep-id --verify` would change: one run for all of them
    (it starts slowly), honouring the contributor's git filter settings as the CLI does."""
    paths = [nblab.rel(nblab.notebook_path(s)) for s in NOTEBOOKS]
    r = subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id", "--verify", *paths],
                       cwd=nblab.ROOT, capture_output=True, text=True)
    would = {line.removeprefix("Dry run: would have stripped ").strip(): line
             for line in r.stdout.splitlines() if line.startswith("Dry run: would have stripped ")}
    assert r.returncode == (1 if would else 0), f"nbstripout exited {r.returncode}: {r.stdout}{r.stderr}"
    return would


@requires("nbstripout")
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_outputs_stripped(stem, unstripped):
    path = nblab.rel(nblab.notebook_path(stem))
    assert path not in unstripped, (f"{path} is not stripped (nbstripout --keep-id --verify would change it); "
                                    f"strip it with: .venv/bin/nbstripout --keep-id {path}")


# ---------------------------------------------------------------- in a GoNB kernel

@pytest.mark.kernel
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_runs_as_committed(stem, cell_timeout):
    """Every cell runs (or fails only where tagged raises-exception), prints what
    metadata.lab.expect asks for, and every exercise check fails on the committed stub."""
    nb = checked(stem)
    exercises = nblab.Exercises(nb)

    def checks_fail_on_stub(nb):
        return [f"exercise {ex!r}: check cell {i} passed on the stub; a check must fail until the reader solves it"
                for ex, cells in exercises.checks.items() for i in cells if not nblab.failure(nb.cells[i])]

    problems, copy = nblab.run_and_save(nb, stem, cell_timeout, checks_fail_on_stub)
    assert not problems, f"as committed (executed copy: {nblab.rel(copy)}): " + " | ".join(problems)


@pytest.mark.kernel
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_solutions_pass_checks(stem, cell_timeout):
    """With every stub replaced by notebooks/solutions/<stem>/<exercise>.gocell, every cell
    runs and every exercise check passes (cells above the first stub compile but do not run
    their programs again: see nblab.without_reruns)."""
    nb = checked(stem)
    exercises = nblab.Exercises(nb)
    if not exercises.stubs:
        pytest.skip("no exercises")

    def checks_pass(nb):
        return [f"exercise {ex!r}: check cell {i} fails on the reference solution: {nblab.failure(nb.cells[i])}"
                for ex, cells in exercises.checks.items() for i in cells if nblab.failure(nb.cells[i])]

    solved = nblab.without_reruns(nblab.with_solutions(stem, nb, exercises), exercises)
    problems, copy = nblab.run_and_save(solved, stem + ".solutions", cell_timeout, checks_pass)
    assert not problems, f"with reference solutions (executed copy: {nblab.rel(copy)}): " + " | ".join(problems)


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_solutions_run_skips_only_repeats(stem):
    """The lean solutions run changes only the programs (after %%) of cells above the first
    stub, keeping every declaration and kernel setting; from the first stub on, nothing."""
    nb = checked(stem)
    exercises = nblab.Exercises(nb)
    lean = nblab.without_reruns(nb, exercises)
    first_stub = min((cells[0] for cells in exercises.stubs.values()), default=len(nb.cells))
    assert lean.cells[first_stub:] == nb.cells[first_stub:]
    for before, after in zip(nb.cells[:first_stub], lean.cells[:first_stub]):
        if before.source == after.source:
            continue
        lines = before.source.split("\n")
        body = [line.strip() for line in lines].index("%%") + 1
        kept = [line for line in lines[body:] if line.startswith(("%", "!"))]
        assert after.source.split("\n") == lines[:body] + [nblab.RERUN_NOTE] + kept
