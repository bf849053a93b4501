#!/usr/bin/env python3
"""Check and execute the lab's notebooks in a real GoNB kernel.

For each notebook (default: every notebooks/NN_*.ipynb, in order):
  1. static checks: valid nbformat, kernelspec "gonb", no committed outputs, the labkit
     bootstrap as the first code cell, exercise cells well formed;
  2. execute it top to bottom in a fresh kernel (nbclient), failing on any cell error or a
     per-cell timeout, or on a cell whose output lacks a string listed in its
     metadata.lab.expect. Cells tagged "raises-exception" may fail; cells tagged
     "exercise-check" MUST fail here, because they judge the stub the reader starts from;
  3. if it has exercises, execute it again with each stub replaced by its reference solution
     (notebooks/solutions/<notebook>/<exercise>.gocell), where every check MUST pass.
Executed copies go to build/executed/. Prints one line per notebook with its wall time and
ends with "N passed, N failed"; exits non-zero if anything failed.

  --check-only   static checks only (no kernel)
  --timeout S    per-cell timeout in seconds (default 300, env NB_CELL_TIMEOUT)
"""
import argparse
import glob
import os
import re
import sys
import time
import traceback

import nbformat

try:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError:  # pragma: no cover - setup installs it
    NotebookClient = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NB_DIR = os.path.join(ROOT, "notebooks")
OUT_DIR = os.path.join(ROOT, "build", "executed")
NAME_RE = re.compile(r"^\d\d[a-z]?_[a-z0-9_]+\.ipynb$")
BOOTSTRAP_RE = re.compile(r"go mod edit .*-replace")


class NotebookFailure(Exception):
    pass


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def exercise_name(cell):
    return cell.get("metadata", {}).get("lab", {}).get("exercise")


def static_check(path):
    """Returns the parsed notebook or raises NotebookFailure listing every problem."""
    name = os.path.basename(path)
    problems = []
    if not NAME_RE.match(name):
        problems.append("file name must look like NN_topic.ipynb (lower case, underscores)")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # noqa: BLE001 - any parse/validation error is a failure
        raise NotebookFailure(f"not a valid notebook: {e}") from e
    ks = nb.metadata.get("kernelspec", {})
    if ks.get("name") != "gonb":
        problems.append(f"kernelspec name is {ks.get('name')!r}, want 'gonb'")
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None):
            problems.append(f"cell {i} carries outputs or an execution count (strip them before committing)")
    if not code or not BOOTSTRAP_RE.search(code[0].source):
        problems.append("the first code cell must bootstrap labkit (!*go mod edit ... -replace ...)")
    if nb.cells and nb.cells[0].cell_type != "markdown":
        problems.append("the first cell must be the title/learning-goals markdown")
    stubs, checks = {}, {}
    for i, c in enumerate(nb.cells):
        t = tags(c)
        if "exercise-stub" in t or "exercise-check" in t:
            ex = exercise_name(c)
            if not ex:
                problems.append(f"cell {i} is tagged as an exercise but has no metadata.lab.exercise name")
                continue
            if "exercise-stub" in t:
                if ex in stubs:
                    problems.append(f"exercise {ex!r} has two stub cells")
                stubs[ex] = i
            if "exercise-check" in t:
                if "raises-exception" not in t:
                    problems.append(f"check cell {i} ({ex}) must also be tagged raises-exception (it fails on the stub)")
                if not c.source.lstrip().startswith("%test"):
                    problems.append(f"check cell {i} ({ex}) must be a %test cell")
                checks.setdefault(ex, []).append(i)
    for ex in stubs:
        if ex not in checks:
            problems.append(f"exercise {ex!r} has a stub but no check cell")
        sol = solution_path(path, ex)
        if not os.path.exists(sol):
            hint = ""
            if os.path.exists(sol[: -len(".gocell")] + ".go"):
                hint = " (rename the .go file to .gocell: a cell is not a Go package, and .go files there break `go build ./...`)"
            problems.append(f"exercise {ex!r} has no reference solution at {os.path.relpath(sol, ROOT)}{hint}")
    for ex in checks:
        if ex not in stubs:
            problems.append(f"exercise {ex!r} has a check but no stub cell")
    if problems:
        raise NotebookFailure("; ".join(problems))
    return nb, stubs, checks


def solution_path(nb_path, exercise):
    stem = os.path.splitext(os.path.basename(nb_path))[0]
    return os.path.join(NB_DIR, "solutions", stem, exercise + ".gocell")


# GoNB (v0.11) reports a cell program that exits non-zero (panic, log.Fatal, a failing
# %test) only as a last stderr line such as "exit status 2" or "signal: killed", with an
# "ok" reply, so nbclient alone would not notice. Compile errors do arrive as error outputs.
EXIT_RE = re.compile(r"(?:^|\n)(?:\^C\n)?(exit status \d+|signal: [a-z ]+)\n?$")


def failure(cell):
    """Returns why the executed cell failed, or "" if it did not."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return (o.get("ename", "") + ": " + o.get("evalue", "")).strip()[:600]
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    m = EXIT_RE.search(stderr)
    if m:
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


def check_runtime_failures(nb, label):
    bad = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        if "raises-exception" not in tags(c):
            why = failure(c)
            if why:
                bad.append(f"cell {i} failed: {why}")
        # metadata.lab.expect: substrings the output must contain, for cells whose point is a
        # specific report (a race detector warning, a deadlock message) rather than success.
        text = cell_text(c)
        for want in c.get("metadata", {}).get("lab", {}).get("expect", []):
            if want not in text:
                bad.append(f"cell {i} did not print the expected {want!r}")
    if bad:
        raise NotebookFailure(f"{label}: " + " | ".join(bad))


def execute(nb, timeout, label, log_path):
    client = NotebookClient(
        nb,
        kernel_name="gonb",
        timeout=timeout,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": NB_DIR}},
    )
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    try:
        # GoNB logs verbosely to stderr; keep it out of the summary but at hand for debugging.
        with open(log_path, "w") as log:
            client.execute(stderr=log)
    except CellTimeoutError as e:
        raise NotebookFailure(f"{label}: a cell exceeded the {timeout}s timeout: {short(e)}") from e
    except DeadKernelError as e:
        raise NotebookFailure(f"{label}: the kernel died: {short(e)}") from e
    except CellExecutionError as e:
        raise NotebookFailure(f"{label}: {short(e)}") from e
    return nb


def short(e, limit=1500):
    text = str(e).strip()
    return text if len(text) <= limit else text[:limit] + " …"


def run_one(path, timeout, check_only):
    nb, stubs, checks = static_check(path)
    if check_only:
        return "static checks"
    stem = os.path.splitext(os.path.basename(path))[0]
    os.makedirs(OUT_DIR, exist_ok=True)

    log_dir = os.path.join(ROOT, "build", "logs")
    executed = execute(nb, timeout, "as committed", os.path.join(log_dir, stem + ".kernel.log"))
    nbformat.write(executed, os.path.join(OUT_DIR, stem + ".ipynb"))
    check_runtime_failures(executed, "as committed")
    for ex, cells in checks.items():
        for i in cells:
            if not failure(executed.cells[i]):
                raise NotebookFailure(f"exercise {ex!r}: check cell {i} passed on the stub; a check must fail until the reader solves it")
    detail = f"{sum(c.cell_type == 'code' for c in nb.cells)} code cells"
    if not stubs:
        return detail

    solved = nbformat.read(path, as_version=4)
    for ex, i in stubs.items():
        with open(solution_path(path, ex)) as f:
            solved.cells[i].source = f.read().rstrip("\n")
    executed = execute(solved, timeout, "with reference solutions", os.path.join(log_dir, stem + ".solutions.kernel.log"))
    nbformat.write(executed, os.path.join(OUT_DIR, stem + ".solutions.ipynb"))
    check_runtime_failures(executed, "with reference solutions")
    for ex, cells in checks.items():
        for i in cells:
            why = failure(executed.cells[i])
            if why:
                raise NotebookFailure(f"exercise {ex!r}: check cell {i} fails on the reference solution: {why}")
    return detail + f", {len(stubs)} exercise(s): fail on stub, pass on solution"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("NB_CELL_TIMEOUT", "300")))
    args = ap.parse_args()
    paths = args.notebooks or sorted(glob.glob(os.path.join(NB_DIR, "[0-9][0-9]*.ipynb")))
    if not paths:
        print("no notebooks found in notebooks/", file=sys.stderr)
        return 1
    if not args.check_only and NotebookClient is None:
        print("nbclient is not installed for this python; run 'make setup'", file=sys.stderr)
        return 1
    passed = failed = 0
    total_start = time.monotonic()
    for path in paths:
        name = os.path.basename(path)
        start = time.monotonic()
        try:
            detail = run_one(path, args.timeout, args.check_only)
        except NotebookFailure as e:
            failed += 1
            print(f"FAIL  {name:<34} {time.monotonic() - start:7.1f}s  {e}", flush=True)
        except Exception:  # noqa: BLE001 - report and go on to the next notebook
            failed += 1
            print(f"FAIL  {name:<34} {time.monotonic() - start:7.1f}s  runner error:\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok    {name:<34} {time.monotonic() - start:7.1f}s  {detail}", flush=True)
    what = "notebooks checked" if args.check_only else "notebooks executed"
    print(f"{what} in {time.monotonic() - total_start:.1f}s")
    print(f"notebooks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
