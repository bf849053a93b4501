#!/usr/bin/env python3
"""Export the lab's notebooks as reveal.js slide decks (and plain HTML) that work offline.

  make slides   ->  build/slides/NN_topic.slides.html + index.html + assets/
  make html     ->  build/html/NN_topic.html          + index.html + assets/

Each notebook (default: every notebooks/NN_*.ipynb, in lab order) is executed top to bottom
in a fresh GoNB kernel (the same runner as `make test-notebooks`, committed stubs included),
then exported with nbconvert through the templates in scripts/slides_templates/.

Offline: reveal.js, RequireJS, jQuery and ECharts are copied from node_modules/ (npm, installed
by `make setup`) into <out>/assets/, and every deck refers to them by relative URL, so the
folder opens straight from disk (file://) or from any static file server with no network.
ECharts is loaded by the page itself before RequireJS, so charts draw from the local copy
whatever LABKIT_ECHARTS_URL the notebook was executed with. Without node_modules the decks
use the public CDNs instead (a warning says so). MathJax is only loaded (from its CDN) by
decks whose Markdown contains TeX; the lab's notebooks have none.

  --to slides|html|both   what to export (default slides)
  --reuse-executed        export build/executed/NN_topic.ipynb (written by run_notebooks.py)
                          when it is newer than the notebook and labkit's Go code, instead of
                          executing again
  --out DIR               output folder (default build/slides or build/html)
  --timeout S             per-cell timeout in seconds (default 300, env NB_CELL_TIMEOUT)

Exits non-zero if any notebook failed to execute or export (the others are still written).
"""
import argparse
import glob
import html
import os
import re
import shutil
import sys
import time
import traceback

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_notebooks  # noqa: E402 - the lab's one notebook runner

ROOT = run_notebooks.ROOT
NB_DIR = run_notebooks.NB_DIR
TEMPLATES = os.path.join(HERE, "slides_templates")
NODE_MODULES = os.path.join(ROOT, "node_modules")

# (npm file, copied to assets/...). reveal.js: the major version nbconvert's reveal template
# is written for (4.x); its dist/ and the notes plugin are all the template loads.
LOCAL_ASSETS = [
    ("echarts/dist/echarts.min.js", "echarts.min.js"),
    ("requirejs/require.js", "require.js"),
    ("jquery/dist/jquery.min.js", "jquery.min.js"),
    ("reveal.js/dist", "reveal.js/dist"),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes"),
]
CDN = {
    "reveal": "https://unpkg.com/reveal.js@4.6.1",
    "require": "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js",
    "jquery": "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
}
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"
TEX_RE = re.compile(r"\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]|(?<![\\$\w])\$[^\s$`][^$`\n]*?(?<!\s)\$(?!\w)", re.S)


def copy_assets(out):
    """Copies the npm assets into out/assets; returns False (and copies nothing) if any is missing."""
    missing = [src for src, _ in LOCAL_ASSETS if not os.path.exists(os.path.join(NODE_MODULES, src))]
    if missing:
        print(f"WARNING: {', '.join(missing)} not in node_modules/ (run 'make setup' with npm): "
              "the decks will load reveal.js, RequireJS, jQuery and ECharts from public CDNs (needs network).",
              file=sys.stderr)
        return False
    for src, dst in LOCAL_ASSETS:
        s, d = os.path.join(NODE_MODULES, src), os.path.join(out, "assets", dst)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.isdir(s):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(s, d, ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
        else:
            shutil.copyfile(s, d)
    return True


def code_mtime():
    """The newest change to the Go code cells run against (labkit, go.mod, go.sum)."""
    newest = max(os.path.getmtime(os.path.join(ROOT, f)) for f in ("go.mod", "go.sum"))
    for d, _, files in os.walk(os.path.join(ROOT, "labkit")):
        for f in files:
            if f.endswith(".go") and not f.endswith("_test.go"):
                newest = max(newest, os.path.getmtime(os.path.join(d, f)))
    return newest


def executed_notebook(path, reuse, timeout, local):
    """Returns the executed notebook and where it came from."""
    stem = os.path.splitext(os.path.basename(path))[0]
    prior = os.path.join(run_notebooks.OUT_DIR, stem + ".ipynb")
    if reuse and os.path.exists(prior) and os.path.getmtime(prior) >= max(os.path.getmtime(path), code_mtime()):
        return nbformat.read(prior, as_version=4), "reused " + os.path.relpath(prior, ROOT)
    nb = nbformat.read(path, as_version=4)
    if local:
        # Charts in the executed outputs then point at the deck's copy too (the page loads it first anyway).
        os.environ["LABKIT_ECHARTS_URL"] = "assets/echarts.min.js"
    log = os.path.join(ROOT, "build", "logs", stem + ".slides.kernel.log")
    nb = run_notebooks.execute(nb, timeout, "executing for export", log)
    run_notebooks.check_runtime_failures(nb, "executing for export")
    return nb, "executed in a fresh kernel"


def has_tex(nb):
    return any(c.cell_type == "markdown" and TEX_RE.search(c.source) for c in nb.cells)


def has_charts(nb):
    for c in nb.cells:
        for o in c.get("outputs", []):
            if 'class="labkit-chart"' in str(o.get("data", {}).get("text/html", "")):
                return True
    return False


def title_of(nb, stem):
    for c in nb.cells:
        if c.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", c.source, re.M)
            if m:
                return m.group(1).strip()
    return stem


def make_exporter(kind, local):
    from traitlets.config import Config
    from nbconvert import HTMLExporter, SlidesExporter

    c = Config()
    c.TemplateExporter.extra_template_basedirs = [TEMPLATES]
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    c.HTMLExporter.require_js_url = "assets/require.js" if local else CDN["require"]
    c.HTMLExporter.jquery_url = "assets/jquery.min.js" if local else CDN["jquery"]
    c.HTMLExporter.mathjax_url = MATHJAX_CDN
    if kind == "slides":
        c.SlidesExporter.template_name = "labkit_reveal"
        c.SlidesExporter.reveal_url_prefix = "assets/reveal.js" if local else CDN["reveal"]
        c.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" imports Google Fonts
        c.SlidesExporter.reveal_scroll = True
        return SlidesExporter(config=c), ".slides.html"
    c.HTMLExporter.template_name = "labkit_html"
    return HTMLExporter(config=c), ".html"


def write_index(out, kind, entries):
    what = "slide decks" if kind == "slides" else "notebooks (HTML)"
    rows = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in entries)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Go Concurrency Lab — {what}</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.6}}</style></head>
<body>
<h1>Go Concurrency Lab — {what}</h1>
<p>In lab order. Everything here works offline; open the files from disk or serve this folder.</p>
<ol>
{rows}
</ol>
</body></html>
"""
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--to", choices=["slides", "html", "both"], default="slides")
    ap.add_argument("--reuse-executed", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("NB_CELL_TIMEOUT", "300")))
    args = ap.parse_args()
    kinds = ["slides", "html"] if args.to == "both" else [args.to]
    if args.out and len(kinds) > 1:
        ap.error("--out needs --to slides or --to html")
    paths = args.notebooks or sorted(glob.glob(os.path.join(NB_DIR, "[0-9][0-9]*.ipynb")))
    if not paths:
        print("no notebooks found in notebooks/", file=sys.stderr)
        return 1

    outs = {k: args.out or os.path.join(ROOT, "build", k) for k in kinds}
    local = True
    for out in outs.values():
        os.makedirs(out, exist_ok=True)
        local = copy_assets(out) and local
    exporters = {k: make_exporter(k, local) for k in kinds}
    entries = {k: [] for k in kinds}
    failed = 0
    start_all = time.monotonic()
    for path in paths:
        name = os.path.basename(path)
        stem = os.path.splitext(name)[0]
        start = time.monotonic()
        try:
            nb, source = executed_notebook(path, args.reuse_executed, args.timeout, local)
            resources = {"labkit": {"echarts_url": "assets/echarts.min.js" if local and has_charts(nb) else "",
                                    "math": has_tex(nb)}}
            written = []
            for k in kinds:
                exporter, suffix = exporters[k]
                body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}, **resources})
                target = os.path.join(outs[k], stem + suffix)
                with open(target, "w") as f:
                    f.write(body)
                entries[k].append((stem + suffix, title_of(nb, stem)))
                written.append(os.path.relpath(target, ROOT))
        except run_notebooks.NotebookFailure as e:
            failed += 1
            print(f"FAIL  {name:<34} {time.monotonic() - start:7.1f}s  {e}", flush=True)
        except Exception:  # noqa: BLE001 - report and go on to the next notebook
            failed += 1
            print(f"FAIL  {name:<34} {time.monotonic() - start:7.1f}s  export error:\n{traceback.format_exc()}", flush=True)
        else:
            print(f"ok    {name:<34} {time.monotonic() - start:7.1f}s  {source} -> {', '.join(written)}", flush=True)
    for k in kinds:
        # The index lists every deck in the folder, also those of earlier runs on other notebooks.
        listed = []
        for path in sorted(glob.glob(os.path.join(NB_DIR, "[0-9][0-9]*.ipynb"))):
            stem = os.path.splitext(os.path.basename(path))[0]
            target = stem + exporters[k][1]
            if os.path.exists(os.path.join(outs[k], target)):
                listed.append((target, title_of(nbformat.read(path, as_version=4), stem)))
        write_index(outs[k], k, listed)
        print(f"{k}: {len(entries[k])} written to {os.path.relpath(outs[k], ROOT)}/ (open index.html); "
              f"assets {'local (offline)' if local else 'from public CDNs'}")
    print(f"export: {len(paths) - failed} ok, {failed} failed in {time.monotonic() - start_all:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
