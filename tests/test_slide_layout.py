"""The deck layout (scripts/slide_layout.py), without a kernel or a browser: what goes on which
sub-slide. Whether the slides fit is measured in a browser (internal/browsertest)."""
import nbformat
import slide_layout as L

v4 = nbformat.v4


def md(source, slide_type=None, **meta):
    if slide_type:
        meta["slideshow"] = {"slide_type": slide_type}
    return v4.new_markdown_cell(source, metadata=meta)


def code(source, outputs=(), tags=()):
    c = v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    c.outputs = list(outputs)
    return c


def stdout(text):
    return v4.new_output("stream", name="stdout", text=text)


def chart():
    return v4.new_output("display_data", data={"text/html": '<div class="labkit-chart" id="c1"></div>'})


def slides(nb):
    """The laid-out deck as a list of sub-slides, each a list of (cell type, slide type, text)."""
    out = []
    for c in L.layout(nb).cells:
        st = c.metadata.get("slideshow", {}).get("slide_type", "-")
        if st in ("slide", "subslide") or not out:
            out.append([])
        text = c.source if c.source else "".join(o.get("data", {}).get("text/html", "") for o in c.get("outputs", []))
        out[-1].append((c.cell_type, st, text))
    return out


def notebook(*cells):
    return v4.new_notebook(cells=list(cells))


def test_a_section_becomes_question_code_output_chart_and_explain():
    nb = notebook(
        md("# 01 · Title\n\n- learn this;\n- and that.", "slide"),
        md("## 1. A section\n\n**Predict:** what happens?", "slide"),
        code('import (\n\t"fmt"\n)\n\n%%\nfmt.Println("hi")', [stdout("hi\n"), chart()]),
        md("**Explain.** It printed hi.", "fragment"),
    )
    got = slides(nb)
    assert len(got) == 5, got
    assert got[0][0][2].startswith("# 01") and got[1][0][2].startswith("## 1. A section")
    assert "· code" in got[2][0][2] and got[2][1][2] == '%%\nfmt.Println("hi")', "import block not stripped"
    # A short print and its chart share a sub-slide when they fit.
    assert "· chart" in got[3][0][2] and "hi" in got[3][1][2] and "labkit-chart" in got[3][1][2]
    assert got[4][1][2].startswith("**Explain.**")
    # The Explain is the presenter's notes on the output sub-slide.
    assert ("markdown", "notes", "**Explain.** It printed hi.") in got[3]


def test_a_long_print_and_a_chart_get_a_sub_slide_each():
    nb = notebook(md("## S", "slide"), code("f()", [stdout("".join(f"row {i}\n" for i in range(15))), chart()]),
                  md("**Explain.** Rows.", "fragment"))
    got = slides(nb)
    assert "· output" in got[2][0][2] and "labkit-chart" not in got[2][1][2]
    assert "· chart" in got[3][0][2] and "labkit-chart" in got[3][1][2]
    for s in got[2:4]:
        assert ("markdown", "notes", "**Explain.** Rows.") in s


def test_long_code_and_output_continue_and_hidden_cells_stay_out():
    long_code = "\n".join(f"x{i} := {i}" for i in range(80))
    long_out = "".join(f"line {i}\n" for i in range(120))
    nb = notebook(
        md("## A section", "slide"),
        code("plumbing()", tags=["slides-hide"]),
        code(long_code, [stdout(long_out)]),
        code("secret()", [stdout("shown\n")], tags=["slides-hide-input"]),
    )
    got = slides(nb)
    text = "\n".join(t for s in got for _, _, t in s)
    assert "plumbing" not in text and "secret" not in text and "shown" in text
    code_slides = [s for s in got if "· code" in s[0][2]]
    assert len(code_slides) >= 3 and "(continued)" in code_slides[1][0][2]
    assert "\n".join(s[1][2] for s in code_slides) == long_code, "code lost or reordered across sub-slides"
    for s in code_slides:
        assert L.code_height(s[1][2]) <= L.BUDGET
    outs = [s for s in got if "· output" in s[0][2]]
    assert len(outs) >= 3 and all(f"line {i}\n" in text or f"line {i}<" in text for i in (0, 60, 119))


def test_long_tables_and_lists_continue_with_their_header():
    rows = "\n".join(f"| python thing number {i} with words | `go.Thing{i}()` and more words | why it is so, at some length |"
                     for i in range(30))
    items = "\n".join(f"- goal {i}, said at some length so that the list becomes long on a slide;" for i in range(40))
    nb = notebook(md("# Title\n\n" + items, "slide"), md("## Python → Go\n\n| Python | Go | Why |\n|---|---|---|\n" + rows, "subslide"))
    got = slides(nb)
    tables = [s for s in got if any("| Python | Go | Why |" in t for _, _, t in s)]
    assert len(tables) >= 2, "a long table was not continued"
    assert any(t.startswith("## Python → Go\n\n| Python |") for _, _, t in tables[0]), "the heading was left alone"
    lists = [s for s in got if any(t.lstrip().startswith("- goal") or "\n- goal" in t for _, _, t in s)]
    assert len(lists) >= 2
    for s in got:
        for kind, _, t in s:
            if kind == "markdown" and "labkit-kicker" not in t:
                assert sum(L.block_height(b) for b in L.md_blocks(t)) <= L.BUDGET + L.KICKER_H


def test_summary_is_the_first_learning_goal():
    nb = notebook(md("# T\n\n**By the end you can**\n- start goroutines and wait\n  for them;\n- more."))
    assert L.summary(nb) == "You can start goroutines and wait for them."


def markdown_output(text):
    return v4.new_output("display_data", data={"text/markdown": text, "text/plain": text})


def test_python_shown_beside_go_reaches_the_deck():
    """pybaseline.ShowSource displays the seed's Python as Markdown: the deck shows it, as a
    Markdown cell (nbconvert renders and highlights it), and a long script continues on more
    sub-slides, each with the line that says where the code is from."""
    short = "`baselines/python/race.py`, the code that runs:\n\n```python\ndef work(n):\n    return n + 1\n```"
    long_src = "\n".join(f"    x{i} = {i}" for i in range(60))
    long = f"`baselines/python/big.py`, the code that runs:\n\n```python\ndef big():\n{long_src}\n```"
    nb = notebook(
        md("## 1. Python beside Go", "slide"),
        code("%%\npybaseline.ShowSource(\"race.py\", \"work\")", [markdown_output(short)]),
        code("%%\npybaseline.ShowSource(\"big.py\", \"big\")", [stdout("before\n"), markdown_output(long)]),
    )
    got = slides(nb)
    shown = [text for sub in got for kind, _, text in sub if kind == "markdown" and "```python" in text]
    assert shown and "def work(n):" in shown[0] and shown[0].startswith("`baselines/python/race.py`"), got
    big = [t for t in shown if "big.py" in t]
    assert len(big) >= 2, f"60 lines of Python on {len(big)} sub-slide(s): {big}"
    assert all(t.count("```") == 2 for t in big), big  # every piece is a whole fenced block
    lines = [line for t in big for line in t.split("\n") if line.startswith("    x")]
    assert lines == long_src.split("\n"), "the pieces together are the whole script, in order"
    assert any("before" in text for sub in got for _, _, text in sub), "printed text before it stays"


HINT = ("<details><summary><b>Stuck?</b> A hint</summary>\n\nStart one goroutine per task.\n\n</details>\n\n"
        "<details><summary>Reference solution</summary>\n\n`notebooks/solutions/x.gocell`\n\n</details>\n")


def test_folded_hints_go_to_the_speaker_notes_only():
    nb = notebook(md("## Exercise", "slide"), code("%test\nfunc TestX(t *testing.T) {}", [stdout("FAIL\n")]),
                  md(HINT), md("**Next:** the next notebook."))
    got = slides(nb)
    shown = [text for s in got for kind, st, text in s if st != "notes"]
    notes = [text for s in got for kind, st, text in s if st == "notes"]
    assert not any("goroutine per task" in t or "solutions/x.gocell" in t for t in shown), shown
    assert "Stuck? A hint: Start one goroutine per task." in notes, notes
    assert any("solutions/x.gocell" in n for n in notes), notes
    assert any("**Next:**" in t for t in shown)
