"""What the notebook tests check, and how they run a notebook in a real GoNB kernel.

tests/test_notebooks.py holds the tests; this module holds the rules they apply, so each test
reads as one sentence: static checks (file layout, kernelspec, exercises), the text source
pairing, and execution with nbclient (GoNB's failure signals, metadata.lab.expect, exercise
checks that fail on the stub and pass on the reference solution).
"""
import os
import re

import nbformat
from notebook_files import NB_DIR, ROOT, notebook_path, stems, tags  # noqa: F401 - re-exported for the tests

EXECUTED_DIR = os.path.join(ROOT, "build", "executed")
LOG_DIR = os.path.join(ROOT, "build", "logs")

NAME_RE = re.compile(r"^\d\d[a-z]?_[a-z0-9_]+$")
BOOTSTRAP_RE = re.compile(r"go mod edit .*-replace")
# GoNB (v0.11) reports a cell program that exits non-zero (panic, log.Fatal, a failing
# %test) only as a last stderr line such as "exit status 2" or "signal: killed", with an
# "ok" reply, so nbclient alone would not notice. Compile errors do arrive as error outputs.
# internal/browsertest's exitLine is the same rule; both are tested on the samples in
# internal/browsertest/testdata/gonb_exit_samples.json. \Z, not $: Python's $ also matches
# before a last newline, Go's does not.
EXIT_RE = re.compile(r"(?:^|\n)(?:\^C\n)?(exit status \d+|signal: [a-z ]+)\n?\Z")


class NotebookFailure(Exception):
    """A notebook did not run the way the lab requires; the message says which cell and why."""


def solution_path(stem, exercise):
    return os.path.join(NB_DIR, "solutions", stem, exercise + ".gocell")


def rel(path):
    return os.path.relpath(path, ROOT)


def exercise_name(cell):
    return cell.get("metadata", {}).get("lab", {}).get("exercise")


class Exercises:
    """The exercise cells of a notebook: per exercise name, the indexes of its stub cells (one,
    if well formed) and of its check cells."""

    def __init__(self, nb):
        self.stubs, self.checks = {}, {}
        for i, c in enumerate(nb.cells):
            ex = exercise_name(c)
            if "exercise-stub" in tags(c) and ex:
                self.stubs.setdefault(ex, []).append(i)
            if "exercise-check" in tags(c) and ex:
                self.checks.setdefault(ex, []).append(i)


PAIRING = "ipynb,md"


def static_problems(stem):
    """Returns the parsed notebook and every problem a reader or the runner would hit."""
    path = notebook_path(stem)
    problems = []
    if not NAME_RE.match(stem):
        problems.append("file name must look like NN_topic.ipynb (lower case, underscores)")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # noqa: BLE001 - any parse/validation error is the answer
        return None, [f"not a valid notebook: {e}"]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "gonb":
        problems.append(f"kernelspec name is {kernel!r}, want 'gonb'")
    # Each lab notebook pairs itself with its .md (no folder-wide jupytext.toml), so a learner's
    # own scratch notebook in notebooks/ stays a plain .ipynb.
    formats = nb.metadata.get("jupytext", {}).get("formats")
    if formats != PAIRING:
        problems.append(f"metadata jupytext.formats is {formats!r}, want {PAIRING!r} "
                        "(copy the header of another notebook's .md, then make sync)")
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None):
            problems.append(f"cell {i} carries outputs or an execution count (strip them before committing)")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or not BOOTSTRAP_RE.search(code[0].source):
        problems.append("the first code cell must bootstrap labkit (!*go mod edit ... -replace ...)")
    if nb.cells and nb.cells[0].cell_type != "markdown":
        problems.append("the first cell must be the title/learning-goals markdown")
    for i, c in enumerate(nb.cells):
        t = tags(c)
        if ("exercise-stub" in t or "exercise-check" in t) and not exercise_name(c):
            problems.append(f"cell {i} is tagged as an exercise but has no metadata.lab.exercise name")
        if "exercise-check" in t:
            if "raises-exception" not in t:
                problems.append(f"check cell {i} must also be tagged raises-exception (it fails on the stub)")
            if not c.source.lstrip().startswith("%test"):
                problems.append(f"check cell {i} must be a %test cell")
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and re.search(r"^\*Stuck\?\*", c.source, re.M):
            problems.append(f"cell {i}: a *Stuck?* hint must be folded "
                            "(<details><summary><b>Stuck?</b> A hint</summary> … </details>)")
    ex = Exercises(nb)
    for name, cells in ex.stubs.items():
        if len(cells) > 1:
            problems.append(f"exercise {name!r} has {len(cells)} stub cells, want one")
        if name not in ex.checks:
            problems.append(f"exercise {name!r} has a stub but no check cell")
        sol = solution_path(stem, name)
        if not os.path.exists(sol):
            hint = ""
            if os.path.exists(sol[: -len(".gocell")] + ".go"):
                hint = " (rename the .go file to .gocell: a cell is not a Go package, and .go files there break `go build ./...`)"
            problems.append(f"exercise {name!r} has no reference solution at {rel(sol)}{hint}")
    for name in ex.checks:
        if name not in ex.stubs:
            problems.append(f"exercise {name!r} has a check but no stub cell")
    return nb, problems


def text_source_differences(stem):
    """How notebooks/<stem>.ipynb differs from what its text source notebooks/<stem>.md says:
    cell types, sources and metadata, kernelspec and language_info (not cell ids, outputs or
    timestamps). Needs jupytext."""
    import jupytext  # noqa: PLC0415 - optional: the Debian fallback has no PyPI

    want = jupytext.read(notebook_path(stem, "md"))
    have = nbformat.read(notebook_path(stem), as_version=4)
    diffs = [f"notebook metadata {key!r} differs" for key in ("kernelspec", "language_info")
             if want.metadata.get(key) != have.metadata.get(key)]
    if len(want.cells) != len(have.cells):
        diffs.append(f"the .md has {len(want.cells)} cells, the .ipynb {len(have.cells)}")
    for i, (w, h) in enumerate(zip(want.cells, have.cells)):
        for what in ("cell_type", "source", "metadata"):
            a, b = w.get(what), h.get(what)
            if a != b:
                if what == "source":  # show the first line that differs, not the cell's start
                    a, b = next((x, y) for x, y in zip(a.splitlines() + [""], b.splitlines() + [""]) if x != y)
                diffs.append(f"cell {i} {what} differs (.md: {shorten(a)}; .ipynb: {shorten(b)})")
                break
    return diffs


def shorten(value, limit=100):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def failure(cell):
    """Returns why the executed cell failed, or "" if it did not."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return (o.get("ename", "") + ": " + o.get("evalue", "")).strip()[:600]
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    if EXIT_RE.search(stderr):
        return stderr.strip()[-600:]
    return ""


def cell_text(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            parts.append(o.get("evalue", ""))
        else:
            parts.extend(str(v) for v in o.get("data", {}).values())
    return "".join(parts)


def runtime_problems(nb, start=0):
    """Cells (from index start on) that failed without the raises-exception tag, and cells whose
    output lacks a string listed in metadata.lab.expect (for cells whose point is a specific
    report, such as a race detector warning or a deadlock message, rather than success)."""
    bad = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or i < start:
            continue
        if "raises-exception" not in tags(c):
            why = failure(c)
            if why:
                bad.append(f"cell {i} failed: {why}")
        text = cell_text(c)
        for want in c.get("metadata", {}).get("lab", {}).get("expect", []):
            if want not in text:
                bad.append(f"cell {i} did not print the expected {want!r}")
    return bad


class Kernel:
    """One GoNB kernel, started in notebooks/ as a reader's is, that runs cells in order and keeps
    its state (declarations, %goflags) between runs, as a reader's kernel does. GoNB's own log
    goes to log_path. run raises NotebookFailure on a cell error that is not tagged
    raises-exception, a per-cell timeout or a dead kernel."""

    def __init__(self, timeout, log_path):
        from nbclient import NotebookClient  # noqa: PLC0415 - only the kernel tests need it

        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        # GoNB logs verbosely to stderr; keep it out of the report but at hand for debugging.
        self._log = open(log_path, "w")  # noqa: SIM115 - closed by close()
        self.timeout = timeout
        self.failed = False
        self._client = NotebookClient(nbformat.v4.new_notebook(), kernel_name="gonb", timeout=timeout,
                                      allow_errors=False, record_timing=True,
                                      resources={"metadata": {"path": NB_DIR}})
        self._client.km = self._client.create_kernel_manager()
        self._client.start_new_kernel(stderr=self._log)
        self._client.start_new_kernel_client()

    def run(self, nb, start=0, stop=None):
        """Executes nb's cells from index start up to (not including) stop, in place. After a
        NotebookFailure, failed is true: the cells after the failing one did not run."""
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: PLC0415

        client = self._client
        client.nb = nb
        client.reset_execution_trackers()
        self.failed = True
        try:
            for index in range(start, len(nb.cells) if stop is None else stop):
                client.execute_cell(nb.cells[index], index, execution_count=client.code_cells_executed + 1)
        except CellTimeoutError as e:
            raise NotebookFailure(f"a cell exceeded the {self.timeout}s timeout (NB_CELL_TIMEOUT): {short(e)}") from e
        except DeadKernelError as e:
            raise NotebookFailure(f"the kernel died: {short(e)}") from e
        except CellExecutionError as e:
            raise NotebookFailure(short(e)) from e
        self.failed = False

    def close(self):
        """Shuts the kernel down (GoNB stops its cell programs) and closes the log."""
        try:
            self._client._cleanup_kernel()  # noqa: SLF001 - nbclient's own shutdown, as its setup_kernel uses
        finally:
            self._log.close()


def log_path(name):
    return os.path.join(LOG_DIR, name + ".kernel.log")


def short(e, limit=1500):
    text = str(e).strip()
    return text if len(text) <= limit else text[:limit] + " …"


def save_executed(nb, name, ok):
    """Writes an executed copy to build/executed/<name>.ipynb when the run passed, else to
    <name>.failed.ipynb, removing the other: `make slides` treats <name>.ipynb as up to date
    by its time stamp, so a copy from a failed run must not carry that name."""
    os.makedirs(EXECUTED_DIR, exist_ok=True)
    good, failed = (os.path.join(EXECUTED_DIR, name + s) for s in (".ipynb", ".failed.ipynb"))
    target, other = (good, failed) if ok else (failed, good)
    if os.path.exists(other):
        os.remove(other)
    nbformat.write(nb, target)
    return target


def run_and_save(kernel, nb, name, judge, start=0):
    """Runs nb's cells from start on in kernel, applies the usual runtime checks (to those
    cells) plus judge(nb) (a list of problems), saves the executed copy (see save_executed) and
    returns (problems, copy path)."""
    try:
        kernel.run(nb, start)
    except NotebookFailure as e:
        problems = [str(e)]
    else:
        problems = runtime_problems(nb, start) + judge(nb)
    return problems, save_executed(nb, name, ok=not problems)


def with_solutions(stem, nb, exercises):
    """A copy of nb with each exercise's stub cell replaced by its reference solution."""
    solved = nbformat.from_dict(nb)
    for name, cells in exercises.stubs.items():
        with open(solution_path(stem, name)) as f:
            solved.cells[cells[0]].source = f.read().rstrip("\n")
    return solved


def first_stub(exercises):
    return min((cells[0] for cells in exercises.stubs.values()), default=None)


# GoNB commands that set the kernel's state for later cells (not %% or %test, which belong to
# their own cell).
SETTING_RE = re.compile(r"^%(goflags|env|cd)\b")


def settings_above(nb, end):
    """A code cell repeating, in order, every kernel setting (%goflags, %env, %cd) the cells
    above index end make, or None if they make none. The solutions run replays it before the
    first stub, so a setting a later cell changed is back to what the stub's cell saw."""
    lines = [line for c in nb.cells[:end] if c.cell_type == "code"
             for line in c.source.split("\n") if SETTING_RE.match(line)]
    return nbformat.v4.new_code_cell("\n".join(lines)) if lines else None


def run_solutions(kernel, stem, nb, exercises, judge):
    """The solutions run, as a reader makes it after the as-committed run: in the same kernel,
    every stub replaced by its reference solution, the cells from the first stub on run again
    (the cells above it declared the same things in both runs). kernel must have run at least
    the cells above the first stub. Returns (problems, copy path)."""
    start = first_stub(exercises)
    solved = with_solutions(stem, nb, exercises)
    settings = settings_above(nb, start)
    if settings is not None:
        try:
            kernel.run(nbformat.v4.new_notebook(cells=[settings]))
        except NotebookFailure as e:
            return [f"replaying the kernel settings above the first stub failed: {e}"], None
    return run_and_save(kernel, solved, stem + ".solutions", judge, start)
