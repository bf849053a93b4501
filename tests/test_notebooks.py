"""The lab's notebooks, checked statically and run in a real GoNB kernel.

Every test is parametrized by notebook stem (the kernel tests: one class per notebook), so `pytest --nb 05`
(make's NB=05) selects notebook 05.
Static tests need no kernel (`make check-notebooks`); the tests marked `kernel` execute a
notebook top to bottom in a fresh kernel, then the exercises' reference solutions in the same
kernel (`make test-notebooks`), and leave the executed copies in build/executed/ and GoNB's log in
build/logs/.
"""
import importlib.util
import subprocess
import sys

import nbformat
import pytest

import nblab

NOTEBOOKS = nblab.stems("ipynb")
TEXT_SOURCES = nblab.stems("md")
EITHER = sorted(set(NOTEBOOKS) | set(TEXT_SOURCES))
BOTH = sorted(set(NOTEBOOKS) & set(TEXT_SOURCES))
KERNEL_CLASS = "TestKernel_"


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

class KernelRuns:
    """The two kernel runs of one notebook. Each notebook gets a class of its own (below), so
    pytest-xdist's --dist loadscope (make's) runs both on one worker, in this order, and the
    solutions run continues in the kernel the as-committed run leaves. (xdist's loadgroup would
    say it more directly, but its groups are lost on pytest 9.)"""

    stem = ""

    @pytest.mark.kernel
    def test_runs_as_committed(self, cell_timeout, kept_kernels):
        """Every cell runs (or fails only where tagged raises-exception), prints what
        metadata.lab.expect asks for, and every exercise check fails on the committed stub."""
        stem = self.stem
        nb = checked(stem)
        exercises = nblab.Exercises(nb)

        def checks_fail_on_stub(nb):
            return [f"exercise {ex!r}: check cell {i} passed on the stub; a check must fail until the reader solves it"
                    for ex, cells in exercises.checks.items() for i in cells if not nblab.failure(nb.cells[i])]

        kernel = nblab.Kernel(cell_timeout, nblab.log_path(stem))
        try:
            problems, copy = nblab.run_and_save(kernel, nb, stem, checks_fail_on_stub)
        finally:
            if exercises.stubs and not kernel.failed:
                kept_kernels[stem] = kernel  # for test_solutions_pass_checks
            else:
                kernel.close()
        assert not problems, f"as committed (executed copy: {nblab.rel(copy)}): " + " | ".join(problems)

    @pytest.mark.kernel
    def test_solutions_pass_checks(self, cell_timeout, kept_kernels):
        """With every stub replaced by notebooks/solutions/<stem>/<exercise>.gocell, the cells from
        the first stub on run and every exercise check passes. They run where a reader would run
        them: in the kernel the as-committed run used (see nblab.run_solutions); run alone, in a
        fresh kernel that first runs the cells above the first stub."""
        stem = self.stem
        nb = checked(stem)
        exercises = nblab.Exercises(nb)
        if not exercises.stubs:
            pytest.skip("no exercises")

        def checks_pass(nb):
            return [f"exercise {ex!r}: check cell {i} fails on the reference solution: {nblab.failure(nb.cells[i])}"
                    for ex, cells in exercises.checks.items() for i in cells if nblab.failure(nb.cells[i])]

        kernel = kept_kernels.pop(stem, None)
        try:
            if kernel is None:
                kernel = nblab.Kernel(cell_timeout, nblab.log_path(stem + ".solutions"))
                try:
                    kernel.run(nbformat.from_dict(nb), stop=nblab.first_stub(exercises))
                except nblab.NotebookFailure as e:
                    pytest.fail(f"the cells above the first exercise stub failed, so the solutions could not run: {e}")
            problems, copy = nblab.run_solutions(kernel, stem, nb, exercises, checks_pass)
        finally:
            if kernel is not None:
                kernel.close()
        assert not problems, (f"with reference solutions (executed copy: {copy and nblab.rel(copy)}): "
                              + " | ".join(problems))


for _stem in NOTEBOOKS:  # TestKernel_05_worker_pools, …
    globals()[KERNEL_CLASS + _stem] = type(KERNEL_CLASS + _stem, (KernelRuns,), {"stem": _stem})


def test_settings_above_replays_kernel_settings_in_order():
    """The solutions run repeats the %goflags/%env/%cd lines of the cells above the first stub
    (a later cell may have changed them), and nothing else."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%goflags -race\nfunc f() {}"),
        nbformat.v4.new_markdown_cell("%goflags not-code"),
        nbformat.v4.new_code_cell("%%\nf()\n%env A=1"),
        nbformat.v4.new_code_cell('%goflags ""\n%test'),
        nbformat.v4.new_code_cell("%goflags -later"),
    ])
    assert nblab.settings_above(nb, 4).source == '%goflags -race\n%env A=1\n%goflags ""'
    assert nblab.settings_above(nb, 0) is None
