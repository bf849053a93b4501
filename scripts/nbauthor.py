"""Helpers for writing lab notebooks from Python (the .ipynb stays the source of truth).

    import sys; sys.path.insert(0, "scripts")
    from nbauthor import md, code, bootstrap, exercise_stub, exercise_check, slide, write
    write("notebooks/01_goroutines.ipynb", [md("# Title", slide="slide"), bootstrap(), code("...")])

Every notebook gets the gonb kernelspec, no outputs, and the labkit bootstrap cell.
Slide types (metadata.slideshow.slide_type): "slide", "subslide", "fragment", "skip", "notes", "-".
"""
import hashlib

import nbformat

MODULE = "github.com/go-concurrency-lab/lab"
BOOTSTRAP = (
    "// Point this notebook's Go module at the lab's code (the repository root), so cells can\n"
    "// import labkit. Run this cell first after every kernel restart.\n"
    f'!*go mod edit -require {MODULE}@v0.0.0 -replace "{MODULE}=${{GONB_DIR}}/.."'
)


def _meta(slide=None, tags=None, lab=None):
    meta = {}
    if slide:
        meta["slideshow"] = {"slide_type": slide}
    if tags:
        meta["tags"] = list(tags)
    if lab:
        meta["lab"] = dict(lab)
    return meta


def md(text, slide=None, tags=None):
    return nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=_meta(slide, tags))


def code(text, slide=None, tags=None, expect=None):
    """expect: strings the cell's output must contain (checked by the runner), for cells
    whose point is a specific report, such as the race detector's "WARNING: DATA RACE"."""
    return nbformat.v4.new_code_cell(text.strip("\n"), metadata=_meta(slide, tags, {"expect": list(expect)} if expect else None))


def bootstrap(slide="skip"):
    return code(BOOTSTRAP, slide=slide, tags=["bootstrap"])


def exercise_stub(name, text, slide=None):
    """The code the reader edits. Its reference solution lives in
    notebooks/solutions/<notebook>/<name>.gocell (cell source, not a Go file) and replaces this cell in the solutions run."""
    return code(text, slide=slide, tags=["exercise-stub"]) | {"metadata": _meta(slide, ["exercise-stub"], {"exercise": name})}


def exercise_check(name, text, slide=None):
    """A %test cell that fails on the stub and passes on a correct solution."""
    tags = ["exercise-check", "raises-exception"]
    return code(text, slide=slide, tags=tags) | {"metadata": _meta(slide, tags, {"exercise": name})}


def write(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "gonb", "display_name": "Go (gonb)", "language": "go"},
        "language_info": {"name": "go", "file_extension": ".go", "mimetype": "text/x-go"},
    }
    nb.cells = [nbformat.from_dict(c) for c in cells]
    # Ids derived from content keep regenerated notebooks' diffs small.
    seen = set()
    for c in nb.cells:
        digest = hashlib.sha1((c.cell_type + c.source).encode()).hexdigest()
        cid, n = digest[:12], 0
        while cid in seen:
            n += 1
            cid = f"{digest[:10]}-{n}"
        seen.add(cid)
        c["id"] = cid
    nbformat.validate(nb)
    nbformat.write(nb, path)
