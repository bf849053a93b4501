#!/usr/bin/env python3
"""Export executed notebooks as reveal.js slide decks and plain HTML pages that work offline.

`make slides` / `make html` call this once with every build/executed/NN_topic.ipynb that the
notebook tests wrote (Make re-runs `pytest` for a notebook when it or labkit's Go code is newer
than its executed copy); one process exports them all, the notebooks shared out among as many
worker processes as there are CPUs, so nbconvert is imported and its templates compiled once a
worker rather than once a notebook:

  export.py slides build/slides build/executed/NN_topic.ipynb...   # NN_topic.slides.html, index.html
  export.py html   build/html   build/executed/NN_topic.ipynb...   # NN_topic.html, index.html
  export.py index  slides|html build/slides|build/html              # assets/ and index.html only

A deck or page is exported again only when it is missing or older than its executed notebook
or than the export's own code and templates (EXPORT_DEPS), as a Make rule per file would.

Offline: reveal.js, RequireJS, jQuery and ECharts are copied from node_modules/ (npm, installed
by `make setup`) into <folder>/assets/, and every deck refers to them by relative URL, so the
folder opens straight from disk (file://) or from any static file server with no network.
ECharts is loaded by the page itself before RequireJS, so charts draw from the local copy
whatever LABKIT_ECHARTS_URL the notebook was executed with. Without node_modules the pages use
the public CDNs instead (a warning says so). MathJax is only loaded (from its CDN) by pages whose
Markdown contains TeX; the lab's notebooks have none.

Decks are laid out so every slide fits the screen (scripts/slide_layout.py: each section's question,
code, output, charts and explanation on sub-slides of their own, long ones continued, the
**Explain.** text also as speaker notes); the HTML pages keep the notebook as it is. The index
lists every deck with its slide count and a one-line summary (the first learning goal).

Go cells are highlighted as Go (GoNBLexer below): GoNB reports an empty pygments_lexer in
language_info, which nbconvert reads as "use the IPython lexer", so without this every Go
cell came out highlighted as Python (`//` an operator, the words of a comment names).
"""
import concurrent.futures
import glob
import html
import multiprocessing
import os
import re
import shutil
import sys
from html.parser import HTMLParser

import nbformat
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import inherit
from pygments.lexers import get_lexer_by_name
from pygments.lexers.go import GoLexer
from pygments.token import Comment

import jinja2

import slide_layout
from notebook_files import ROOT, notebook_path, stems

HERE = os.path.dirname(os.path.abspath(__file__))
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
SUFFIX = {"slides": ".slides.html", "html": ".html"}
# What an export is made with besides its notebook: when one of these changes, every deck and
# page is exported again.
EXPORT_DEPS = [os.path.join(HERE, "export.py"), os.path.join(HERE, "slide_layout.py"),
               *glob.glob(os.path.join(TEMPLATES, "*", "*")), os.path.join(NODE_MODULES, ".package-lock.json")]


class GoNBLexer(GoLexer):
    """Go as GoNB cells hold it. A line starting with `%%` (main's body follows), another
    `%` command (`%test`, `%goflags`, ...) or `!`/`!*` (a shell command) is not Go: it is shown
    as a preprocessor line, the rest as Go."""

    name = "Go (GoNB cell)"
    aliases = ["gonb"]
    tokens = {"root": [(r"^(%%|%[A-Za-z_]+|!\*?).*?$", Comment.Preproc), inherit]}


def highlight_code(source, language=None, metadata=None):
    """nbconvert's highlight_code filter for the lab's notebooks: code cells (no language
    given) and Go are highlighted with GoNBLexer, anything else by its own name."""
    lexer = GoNBLexer() if language in (None, "", "go", "gonb") else get_lexer_by_name(language)
    return highlight(source or " ", lexer, HtmlFormatter(cssclass=" highlight hl-go"))


def local_assets():
    """Whether node_modules/ holds every asset; if not, the pages use the public CDNs."""
    return all(os.path.exists(os.path.join(NODE_MODULES, src)) for src, _ in LOCAL_ASSETS)


def copy_assets(out):
    for src, dst in LOCAL_ASSETS:
        s, d = os.path.join(NODE_MODULES, src), os.path.join(out, "assets", dst)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.isdir(s):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(s, d, ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
        else:
            shutil.copyfile(s, d)


def has_tex(nb):
    return any(c.cell_type == "markdown" and TEX_RE.search(c.source) for c in nb.cells)


def has_charts(nb):
    return any('class="labkit-chart"' in str(o.get("data", {}).get("text/html", ""))
               for c in nb.cells for o in c.get("outputs", []))


def title_of(nb, stem):
    for c in nb.cells:
        if c.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", c.source, re.M)
            if m:
                return m.group(1).strip()
    return stem


def make_exporter(kind, local):
    from nbconvert import HTMLExporter, SlidesExporter  # noqa: PLC0415 - slow to import
    from traitlets.config import Config  # noqa: PLC0415

    c = Config()
    c.TemplateExporter.extra_template_basedirs = [TEMPLATES]
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    c.TemplateExporter.filters = {"highlight_code": highlight_code}
    c.HTMLExporter.require_js_url = "assets/require.js" if local else CDN["require"]
    c.HTMLExporter.jquery_url = "assets/jquery.min.js" if local else CDN["jquery"]
    c.HTMLExporter.mathjax_url = MATHJAX_CDN
    if kind == "slides":
        c.SlidesExporter.template_name = "labkit_reveal"
        c.SlidesExporter.reveal_url_prefix = "assets/reveal.js" if local else CDN["reveal"]
        c.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" imports Google Fonts
        c.SlidesExporter.reveal_scroll = True
        c.SlidesExporter.reveal_number = "c/t"  # slide numbers: this slide of all, sub-slides counted
        return SlidesExporter(config=c)
    c.HTMLExporter.template_name = "labkit_html"
    return HTMLExporter(config=c)


_exporters = {}


def exporter(kind, local):
    """One exporter per kind and process: nbconvert compiles its templates once, not per notebook."""
    if (kind, local) not in _exporters:
        _exporters[kind, local] = make_exporter(kind, local)
    return _exporters[kind, local]


def export(kind, executed, target):
    """Writes one executed notebook as a deck or page (whole, or not at all)."""
    stem = os.path.basename(target).removesuffix(SUFFIX[kind])
    nb = nbformat.read(executed, as_version=4)
    local = local_assets()
    # resources.labkit is read by the templates in scripts/slides_templates/.
    resources = {"metadata": {"name": stem},
                 "labkit": {"echarts_url": "assets/echarts.min.js" if local and has_charts(nb) else "",
                            "math": has_tex(nb)}}
    if kind == "slides":
        nb = slide_layout.layout(nb)
    body, _ = exporter(kind, local).from_notebook_node(nb, resources=resources)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with open(target + ".tmp", "w") as f:
        f.write(body)
    os.replace(target + ".tmp", target)
    return (f"{os.path.relpath(executed, ROOT)} -> {os.path.relpath(target, ROOT)} "
            f"(assets {'local' if local else 'from public CDNs'})")


def stale(executed, target):
    """Whether target must be made again: missing, or older than executed or an EXPORT_DEPS file."""
    if not os.path.exists(target):
        return True
    made = os.path.getmtime(target)
    return any(os.path.exists(d) and os.path.getmtime(d) > made for d in [executed, *EXPORT_DEPS])


def export_all(kind, out, executed):
    """Exports each executed notebook whose deck or page in out is stale, in worker processes
    (forked, so nbconvert is imported once), and prints a line for each in the order given.
    Returns whether all of them were written."""
    todo = [(e, os.path.join(out, os.path.basename(e).removesuffix(".ipynb") + SUFFIX[kind])) for e in executed]
    todo = [(e, t) for e, t in todo if stale(e, t)]
    if not todo:
        return True
    exporter(kind, local_assets())  # nbconvert imported before the fork, once for every worker
    jobs = min(len(todo), os.cpu_count() or 1)
    if jobs == 1:
        return _report(_export_or_error(kind, e, t) for e, t in todo)
    # fork where there is one (Linux, macOS): the workers start with nbconvert loaded.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return _report(pool.map(_export_or_error, [kind] * len(todo), *zip(*todo)))


def _report(results):
    """Prints each (line, error) as it comes; returns whether there was no error."""
    ok = True
    for line, err in results:
        if err:
            print(err, file=sys.stderr, flush=True)
            ok = False
        else:
            print(line, flush=True)
    return ok


def _export_or_error(kind, executed, target):
    try:
        return export(kind, executed, target), ""
    except Exception as e:  # noqa: BLE001 - reported with the notebook's name; the others go on
        return "", f"FAIL export {kind} {os.path.relpath(executed, ROOT)}: {type(e).__name__}: {e}"


class _SlideCounter(HTMLParser):
    """Counts the slides of a reveal.js deck: <section>s with no <section> inside."""

    def __init__(self):
        super().__init__()
        self.stack, self.slides = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            if self.stack:
                self.stack[-1] = True
            self.stack.append(False)

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            if not self.stack.pop():
                self.slides += 1


def count_slides(deck):
    p = _SlideCounter()
    with open(deck) as f:
        p.feed(f.read())
    return p.slides


def inline_md(text):
    """A line of Markdown as HTML: escaped, `code` as <code>, **bold** and *emphasis* dropped."""
    out = html.escape(re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def write_index(kind, out):
    """Copies the assets into out/ and writes out/index.html listing every deck (or page) in the
    folder in lab order, also those exported by earlier runs for other notebooks."""
    os.makedirs(out, exist_ok=True)
    if local_assets():
        copy_assets(out)
        where = "local (offline)"
    else:
        missing = [src for src, _ in LOCAL_ASSETS if not os.path.exists(os.path.join(NODE_MODULES, src))]
        print(f"WARNING: {', '.join(missing)} not in node_modules/ (run 'make setup' with npm): the pages "
              "load reveal.js, RequireJS, jQuery and ECharts from public CDNs (needs network).", file=sys.stderr)
        where = "from public CDNs"
    entries = []
    for stem in stems("ipynb"):
        target = os.path.join(out, stem + SUFFIX[kind])
        if os.path.exists(target):
            nb = nbformat.read(notebook_path(stem), as_version=4)
            entries.append({"href": stem + SUFFIX[kind], "title": inline_md(title_of(nb, stem)),
                            "count": f"{count_slides(target)} slides" if kind == "slides" else "",
                            "summary": inline_md(slide_layout.summary(nb) or ""),
                            # make pdf (and make test-browser) print each deck to ../pdf/ and write this index again to link it
                            "pdf": f"../pdf/{stem}.pdf" if kind == "slides" and os.path.exists(
                                os.path.join(out, "..", "pdf", stem + ".pdf")) else ""})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("index.html.j2").render(kind=kind, entries=entries)
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page)
    print(f"{kind}: {len(entries)} in {os.path.relpath(out, ROOT)}/ (open index.html); assets {where}")


def main(argv):
    usage = f"usage: {argv[0]} slides|html FOLDER EXECUTED.ipynb...  |  {argv[0]} index slides|html FOLDER"
    if len(argv) >= 4 and argv[1] in SUFFIX:
        ok = export_all(argv[1], argv[2], argv[3:])
        write_index(argv[1], argv[2])
        return 0 if ok else 1
    elif len(argv) == 4 and argv[1] == "index" and argv[2] in SUFFIX:
        write_index(argv[2], argv[3])
    else:
        print(usage, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
