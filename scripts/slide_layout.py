"""Lays an executed notebook out as a deck in which every slide fits the screen.

scripts/export.py calls layout(nb) on a copy of the notebook before nbconvert's reveal exporter
sees it; the notebook and the HTML export are unchanged. The notebook's own slide types say
where a section starts (`slide`, `subslide`); within a section every piece becomes its own
sub-slide, in this order, each headed by a small line naming the section:

  the section's Markdown (the question, **Predict**)   one sub-slide, continued on more if long
  each code cell's input                                 import blocks hidden; long code continued
  its printed output, its charts                         a chart on its own sub-slide; long text continued
  **Explain.**                                           its own sub-slide, and the speaker notes
                                                         of the output sub-slides before it

A cell tagged `slides-hide` is left out of the deck, `slides-hide-input` / `slides-hide-output`
leave out that part (for plumbing the notebook needs and a talk does not). Folded Markdown
(`<details>`: the exercises' hints and solution pointers) is never shown to the audience: it goes
to the speaker notes of the slide before it.

Nothing measures the page here: heights are estimated from line counts and the CSS the
template sets (scripts/slides_templates/labkit_reveal, sizes in the constants below, which must
agree with it), on the safe side. The browser test (internal/browsertest, jsOverflow) measures
every slide with reveal.js's own layout and fails on any that is taller than the screen, so an
estimate that is wrong shows up there, with the slide.
"""
import copy
import html
import math
import re

import nbformat
from notebook_files import tags

# The deck's own size in CSS pixels; reveal.js scales it to the window (1120x700 is 16:10, the
# shape of a laptop screen, so it fills one). Keep in step with Reveal.initialize in the template.
SLIDE_W, SLIDE_H = 1120, 700
# What a slide may hold: the slide less the heading line and a safety margin.
KICKER_H = 44
BUDGET = SLIDE_H - KICKER_H - 40
TEXT_W = SLIDE_W - 60  # cell paddings
OUT_W = 930  # printed output: what a <pre> inside the output area holds (measured: 954px), less a margin

# Monospace: a character is 0.6 em wide in DejaVu Sans Mono, Menlo and Consolas.
MONO_EM = 0.61
CODE_PX, CODE_LH = 20, 1.35  # code input
OUT_PX, OUT_LH, OUT_MIN_PX = 18, 1.3, 13  # printed output; shrunk for wide tables, never below OUT_MIN_PX
PRE_PAD = 24  # a <pre>'s padding and margin
# Proportional text (Markdown): about 0.5 em a character on average; 0.55 on the safe side.
MD_PX, MD_LH, MD_EM = 22, 1.4, 0.55
TABLE_PX, TABLE_LH, TABLE_PAD = 18, 1.3, 10
H_PX = {1: 46, 2: 34, 3: 28, 4: 24}
CHART_H = 470  # .labkit-chart's height on a slide (the template's CSS)

HIDE, HIDE_INPUT, HIDE_OUTPUT = "slides-hide", "slides-hide-input", "slides-hide-output"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ITEM = re.compile(r"\s*([-*+]|\d+[.)])\s")  # the start of a Markdown list item
DETAILS = re.compile(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>\s*", re.S)
IMPORT_BLOCK = re.compile(r'\A\s*(?:import\s*\((?:[^()]|\([^()]*\))*\)|import\s+(?:\w+\s+)?"[^"\n]+")[ \t]*\n+')


# ---------------------------------------------------------------- sizes


def mono_lines(text, chars):
    """Lines a <pre> with wrapping takes for text at `chars` characters a line."""
    return sum(max(1, math.ceil(len(line.expandtabs(4)) / chars)) for line in text.split("\n"))


def code_chars():
    return int(TEXT_W / (CODE_PX * MONO_EM))


def code_height(code):
    return mono_lines(code, code_chars()) * CODE_PX * CODE_LH + PRE_PAD


def plain(md):
    """Markdown as the reader sees it, roughly: links by their text, no markup characters."""
    md = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", md)
    md = re.sub(r"<[^>]+>", "", md)
    return re.sub(r"[*_`]", "", md)


def shown_len(md):
    """How many proportional characters a line of Markdown takes: `code` is monospace on a
    shaded box, about a quarter wider."""
    code = sum(len(m) + 1 for m in re.findall(r"`([^`]*)`", md))
    return len(plain(re.sub(r"`[^`]*`", "", md))) + math.ceil(code * 1.25)


def text_lines(text, px=MD_PX, width=TEXT_W):
    chars = max(10, int(width / (px * MD_EM)))
    return sum(max(1, math.ceil(shown_len(line) / chars)) for line in text.split("\n") if line.strip())


def table_rows(block):
    """A Markdown table's header (with its --- line) and its rows."""
    rows = block.strip().split("\n")
    return rows[:2], rows[2:]


def block_height(block):
    """Estimated height of one Markdown block (see md_blocks)."""
    first = block.lstrip().split("\n", 1)[0]
    if first.startswith("```") or first.startswith("~~~"):
        body = block.strip().split("\n")[1:-1]
        return len(body) * CODE_PX * CODE_LH + PRE_PAD + 20
    m = re.match(r"(#{1,6})\s", first)
    if m:
        px = H_PX.get(len(m.group(1)), 22)
        return text_lines(first[m.end():], px) * px * 1.25 + px * 1.1
    if first.lstrip().startswith("|"):
        rows = [r for r in block.strip().split("\n") if not re.match(r"^\s*\|?\s*:?-{3,}", r)]
        cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
        ncol = max(len(r) for r in cells)
        # The template lays tables out with equal columns (table-layout: fixed), so a cell
        # wraps at a width known here.
        chars = (TEXT_W / ncol - 2 * 8) / (TABLE_PX * MD_EM)
        h = 0
        for r in cells:
            lines = max(math.ceil(1.1 * shown_len(c) / chars) or 1 for c in r)
            h += lines * TABLE_PX * TABLE_LH + TABLE_PAD
        return h + 20
    if ITEM.match(first):
        items = list_items(block)
        return sum(text_lines(it, width=TEXT_W - 50) for it in items) * MD_PX * MD_LH + 10 * len(items) + 20
    return text_lines(block) * MD_PX * MD_LH + 20


def list_items(block):
    """The items of a Markdown list block, each with its continuation lines."""
    items = []
    for line in block.split("\n"):
        if re.match(r"([-*+]|\d+[.)])\s", line) or not items:  # nested items stay with theirs
            items.append(line)
        else:
            items[-1] += "\n" + line
    return items


def md_blocks(md):
    """Splits Markdown into blocks at blank lines, keeping fenced code together."""
    blocks, cur, fence = [], [], False
    for line in md.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not line.strip() and not fence:
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def render(units):
    """Markdown from units (text, table header or None): rows of one table become one table,
    items of one list one list."""
    text, prev_head, prev_item = "", None, False
    for u, head in units:
        if head is not None:
            text += ("\n" + u) if prev_head == head else (("\n\n" if text else "") + head + "\n" + u)
        elif ITEM.match(u) and prev_item:
            text += "\n" + u
        else:
            text += ("\n\n" if text else "") + u
        prev_head, prev_item = head, head is None and bool(ITEM.match(u))
    return text


def split_markdown(md, budget):
    """Markdown in pieces that each fit `budget` pixels, split between blocks, between the
    items of a long list and between the rows of a long table (its header repeated). A single
    paragraph taller than the budget stays whole."""
    units = []
    for b in md_blocks(md):
        if block_height(b) > budget and ITEM.match(b):
            units.extend((item, None) for item in list_items(b))
        elif block_height(b) > budget and b.lstrip().startswith("|"):
            head, rows = table_rows(b)
            units.extend((r, "\n".join(head)) for r in rows)
        else:
            units.append((b, None))
    pieces, cur = [], []
    for u in units:
        if cur and sum(block_height(b) for b in md_blocks(render(cur + [u]))) > budget:
            # A heading goes with what follows it, not alone at the bottom of a slide.
            keep = [cur.pop()] if len(cur) > 1 and cur[-1][1] is None and cur[-1][0].startswith("#") else []
            pieces.append(cur)
            cur = keep
        cur.append(u)
    if cur:
        pieces.append(cur)
    return [render(p) for p in pieces]


def split_code(code, budget):
    """Code in pieces of at most `budget` pixels, cut at a blank line or the start of a
    top-level declaration where one is near, else at the limit."""
    lines = code.split("\n")
    pieces = []
    while lines:
        n, h = 0, PRE_PAD
        while n < len(lines):
            lh = mono_lines(lines[n], code_chars()) * CODE_PX * CODE_LH
            if n and h + lh > budget:
                break
            h += lh
            n += 1
        if n < len(lines):
            # Prefer a cut after a blank line or before an unindented line, in the lower half.
            for k in range(n, max(1, n // 2), -1):
                if not lines[k].strip() or (lines[k][:1] not in ("\t", " ", "}", ")") and lines[k - 1].strip() in ("}", ")", "")):
                    n = k
                    break
        pieces.append("\n".join(lines[:n]).strip("\n"))
        lines = lines[n:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    return [p for p in pieces if p.strip()]


def slide_code(source):
    """The part of a code cell a slide shows: no import block (goimports and the notebook
    keep it; the audience knows where fmt comes from)."""
    return IMPORT_BLOCK.sub("", source, count=1).strip("\n")


# ---------------------------------------------------------------- outputs


def output_items(cell):
    """A code cell's outputs as pieces to lay out: ("text", str, stream) for printed text
    (consecutive prints of one stream joined), ("html", html, height) for anything drawn,
    ("markdown", source, None) for Markdown a cell displayed (pybaseline.ShowSource's Python)."""
    items = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            text = ANSI.sub("", o.text)
            if items and items[-1][0] == "text" and items[-1][2] == o.name:
                items[-1] = ("text", items[-1][1] + text, o.name)
            else:
                items.append(("text", text, o.name))
        elif o.output_type == "error":
            items.append(("text", ANSI.sub("", "\n".join(o.traceback or [o.ename + ": " + o.evalue])), "stderr"))
        else:
            data = o.get("data", {})
            if "text/html" in data:
                h = data["text/html"]
                items.append(("html", h, CHART_H + 20 if "labkit-chart" in h else 220))
            elif "text/markdown" in data:
                items.append(("markdown", data["text/markdown"], None))
            elif "image/png" in data:
                items.append(("html", f'<img src="data:image/png;base64,{data["image/png"]}" style="max-height:{CHART_H}px">', CHART_H))
            elif "text/plain" in data:
                items.append(("text", ANSI.sub("", data["text/plain"]), "stdout"))
    return [(k, v.strip("\n") if k == "text" else v, x) for k, v, x in items if not (k == "text" and not v.strip())]


FENCED = re.compile(r"\A(?P<intro>.*?)^```(?P<lang>\w*)[ \t]*\n(?P<code>.*?)^```[ \t]*\s*\Z", re.S | re.M)


def markdown_pages(md, budget):
    """Displayed Markdown in pieces that each fit `budget`: a text and one fenced block (the
    shape of pybaseline.ShowSource's Python) keeps its text above every piece of the code, cut
    as a code cell's input is; any other Markdown splits as a Markdown cell does."""
    m = FENCED.match(md.strip() + "\n")
    if not m:
        return split_markdown(md, budget)
    intro = m.group("intro").strip()
    code_budget = budget - (block_height(intro) if intro else 0)
    return [(intro + "\n\n" if intro else "") + f"```{m.group('lang')}\n{piece}\n```"
            for piece in split_code(m.group("code").rstrip("\n"), code_budget)]


def text_font(text):
    """The font size printed text is shown at: OUT_PX, smaller where a line (a wide table) would
    not fit at it, never below OUT_MIN_PX (longer lines wrap)."""
    widest = max((len(line.expandtabs(4)) for line in text.split("\n")), default=0)
    px = OUT_PX
    while px > OUT_MIN_PX and widest * px * MONO_EM > OUT_W:
        px -= 1
    return px


def split_text(text, budget, px):
    chars = int(OUT_W / (px * MONO_EM))
    lh = px * OUT_LH
    pieces, cur, h = [], [], PRE_PAD
    for line in text.split("\n"):
        n = mono_lines(line, chars) * lh
        if cur and h + n > budget:
            pieces.append("\n".join(cur))
            cur, h = [], PRE_PAD
        cur.append(line)
        h += n
    if cur:
        pieces.append("\n".join(cur))
    return pieces


def text_html(text, stream, px):
    cls = "labkit-out labkit-stderr" if stream == "stderr" else "labkit-out"
    return f'<pre class="{cls}" style="font-size:{px}px">{html.escape(text)}</pre>'


def text_height(text, px):
    return mono_lines(text, int(OUT_W / (px * MONO_EM))) * px * OUT_LH + PRE_PAD


# ---------------------------------------------------------------- cells


def md_cell(source, slide_type):
    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": slide_type}})


def kicker(title, what, slide_type):
    """The small line heading a sub-slide: the section's title and which part this is."""
    label = html.escape(title) + (f' <span class="labkit-kicker-what">· {html.escape(what)}</span>' if what else "")
    return md_cell(f'<div class="labkit-kicker">{label}</div>', slide_type)


def output_cell(html_parts):
    c = nbformat.v4.new_code_cell("", metadata={"slideshow": {"slide_type": "-"},
                                               "transient": {"remove_source": True}})
    c.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "\n".join(html_parts)})]
    return c


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type") or "-"


def is_explain(cell):
    return cell.cell_type == "markdown" and plain(cell.source).lstrip().startswith("Explain.")


def heading(md):
    m = re.search(r"^#{1,4}\s+(.+)$", md, re.M)
    return plain(m.group(1)).strip() if m else ""


def sections(cells):
    """Groups cells into sections: each starts at a cell whose slide type is slide or subslide."""
    out = []
    for c in cells:
        if not out or slide_type(c) in ("slide", "subslide"):
            out.append([])
        out[-1].append(c)
    return out


def layout(nb):
    """Returns a copy of nb laid out for slides (see the module doc)."""
    nb = copy.deepcopy(nb)
    cells = [c for c in nb.cells if slide_type(c) != "skip" and HIDE not in tags(c) and c.cell_type != "raw"]
    deck = Deck()
    for n, sec in enumerate(sections(cells)):
        deck.add_section(sec, n)
    for i, c in enumerate(deck.cells):
        c.id = f"slide-cell-{i}"  # copies of one cell must not share its id
    nb.cells = deck.cells
    return nb


class Deck:
    """The slide cells laid out so far, and where the section being laid out stands."""

    def __init__(self):
        self.cells = []
        self.title = ""  # the heading the kickers repeat
        self.first_type = "slide"  # the slide type of the section's first sub-slide
        self.started = False  # whether the section's first sub-slide has been made

    def new_slide(self, what):
        """Starts a sub-slide with a kicker saying the section's title and what it shows."""
        self.cells.append(kicker(self.title, what, "subslide" if self.started else self.first_type))
        self.started = True

    def add_section(self, sec, n):
        # A section without a heading of its own (a sub-slide of code) goes on under the last one.
        self.title = (heading(sec[0].source) if sec[0].cell_type == "markdown" else "") or self.title
        own = slide_type(sec[0])
        self.first_type = own if own in ("slide", "subslide") else ("slide" if n == 0 else "subslide")
        self.started = False
        for i, c in enumerate(sec):
            if c.cell_type == "markdown":
                self.add_markdown(c, own_title=i == 0 and heading(c.source))
                continue
            # A code cell: its input, then its outputs, then the notes from the Explain after it.
            notes = []
            for later in sec[i + 1:]:
                if later.cell_type == "code":
                    break
                if is_explain(later):
                    notes.append(later.source)
            if HIDE_INPUT not in tags(c):
                self.add_code(c)
            if HIDE_OUTPUT not in tags(c):
                for kind, page, what in output_pages(c):
                    self.new_slide(what)
                    # Displayed Markdown becomes a Markdown cell, so nbconvert renders it.
                    self.cells.append(output_cell(page) if kind == "html" else md_cell(page, "-"))
                    self.cells.extend(md_cell(note, "notes") for note in notes)

    def add_markdown(self, c, own_title):
        shown, folded = unfold(c.source)
        budget = BUDGET + (KICKER_H if own_title else 0)
        for k, piece in enumerate(split_markdown(shown, budget) if shown.strip() else []):
            if own_title and k == 0:
                self.started = True
                self.cells.append(md_cell(piece, self.first_type))
                continue
            if is_explain(c):
                self.new_slide("explanation" + (" (continued)" if k else ""))
            else:
                self.new_slide("continued" if k else "")
            self.cells.append(md_cell(piece, "-"))
        if folded and not self.cells:
            self.new_slide("")
        self.cells.extend(md_cell(note, "notes") for note in folded)

    def add_code(self, c):
        code = slide_code(c.source)
        for k, piece in enumerate(split_code(code, BUDGET) if code.strip() else []):
            self.new_slide("code" + (" (continued)" if k else ""))
            shown = copy.deepcopy(c)
            shown.source, shown.outputs = piece, []
            shown.metadata["slideshow"] = {"slide_type": "-"}
            shown.execution_count = None
            self.cells.append(shown)


def unfold(md):
    """Splits Markdown into what the audience sees and its folded parts as speaker notes."""
    notes = [f"{plain(summary).strip()}: {body.strip()}" for summary, body in DETAILS.findall(md)]
    return DETAILS.sub("", md), notes


def output_pages(c):
    """Yields c's outputs as pages that fit a slide, each as ("html", HTML parts, what the
    kicker says), or ("markdown", source, what) for Markdown the cell displayed."""
    page, h, pages = [], 0, 0

    def done():
        what = "chart" if any("labkit-chart" in p for p in page) else "output"
        return "html", page, what + (" (continued)" if pages > 0 and what == "output" else "")

    for kind, value, extra in output_items(c):
        if kind == "markdown":
            if page:
                yield done()
                page, h, pages = [], 0, pages + 1
            for piece in markdown_pages(value, BUDGET):
                yield "markdown", piece, "output" + (" (continued)" if pages > 0 else "")
                pages += 1
            continue
        if kind == "html":
            pieces = [(value, extra)]
        else:
            px = text_font(value)
            pieces = [(text_html(piece, extra, px), text_height(piece, px)) for piece in split_text(value, BUDGET, px)]
        for part, height in pieces:
            if page and h + height > BUDGET:
                yield done()
                page, h, pages = [], 0, pages + 1
            page.append(part)
            h += height
    if page:
        yield done()


def summary(nb):
    """A one-line summary of a notebook: "You can " and its first learning goal (the first list
    item of the title cell), else the first sentence of the title cell's text."""
    for c in nb.cells:
        if c.cell_type != "markdown":
            continue
        lines = c.source.split("\n")
        for k, line in enumerate(lines):
            m = re.match(r"\s*(?:[-*+]|\d+[.)])\s+(.*)", line)
            if m:
                item = m.group(1)
                for more in lines[k + 1:]:  # an item's continuation lines
                    if not more.startswith((" ", "\t")) or not more.strip():
                        break
                    item += " " + more.strip()
                return "You can " + " ".join(item.split()).rstrip(";,.") + "."
        for block in md_blocks(c.source):
            if not block.startswith(("#", "**Seed")):
                text = " ".join(block.split())
                return re.split(r"(?<=[.:])\s", text, maxsplit=1)[0]
        break
    return ""
