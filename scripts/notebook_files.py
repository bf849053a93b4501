"""Where the lab's notebooks are and how to read a cell's tags: one definition for the
scripts (export, slide layout) and the tests."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NB_DIR = os.path.join(ROOT, "notebooks")


def stems(ext):
    """The lab's notebooks with files of this extension ("ipynb" or "md"), by stem, in lab order:
    the files in notebooks/ whose names start with two digits."""
    names = (os.path.splitext(f) for f in os.listdir(NB_DIR))
    return sorted(stem for stem, e in names if e == "." + ext and stem[:2].isdigit())


def notebook_path(stem, ext="ipynb"):
    return os.path.join(NB_DIR, f"{stem}.{ext}")


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))
