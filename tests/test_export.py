"""The export's Go highlighting (scripts/export.py), without a kernel or a browser."""
import html
import re

import export

CELL = """!*go mod edit -replace "x=${GONB_DIR}/.."
%goflags -race
%%
// a known Go comment
total := 10 % 3 // remainder
fmt.Println("http://example.com")
"""


def tokens(highlighted):
    """(Pygments class, text) of each span; how quotes are escaped varies between versions."""
    return [(cls, html.unescape(text)) for cls, text in re.findall(r'<span class="(\w+)">([^<]*)</span>', highlighted)]


def test_go_cells_highlight_as_go_with_gonb_lines_as_preprocessor():
    got = tokens(export.highlight_code(CELL, metadata={}))
    for want in [("cp", '!*go mod edit -replace "x=${GONB_DIR}/.."'),
                 ("cp", "%goflags -race"),
                 ("cp", "%%"),
                 ("c1", "// a known Go comment"),
                 ("c1", "// remainder"),
                 ("o", "%"),  # the operator: not at the start of a line, so not a GoNB command
                 ("s", '"http://example.com"')]:
        assert want in got, f"{want} not in {got}"


def test_other_languages_keep_their_lexer():
    assert ("c1", "# hi") in tokens(export.highlight_code("# hi\n", language="python"))


def test_index_lists_the_exported_pages_in_lab_order(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "local_assets", lambda: True)
    monkeypatch.setattr(export, "copy_assets", lambda out: None)
    first, second = export.stems("ipynb")[:2]
    for stem in (second, first):
        (tmp_path / (stem + ".html")).write_text("<html></html>")
    export.write_index("html", str(tmp_path))
    page = (tmp_path / "index.html").read_text()
    assert "<title>Go Concurrency Lab — notebooks (HTML)</title>" in page
    assert page.index(f'href="{first}.html"') < page.index(f'href="{second}.html"')
    assert page.count("<li>") == 2 and "press S" not in page


def test_slide_index_links_each_pdf_make_pdf_printed(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "local_assets", lambda: True)
    monkeypatch.setattr(export, "copy_assets", lambda out: None)
    first, second = export.stems("ipynb")[:2]
    slides, pdf = tmp_path / "slides", tmp_path / "pdf"
    slides.mkdir()
    pdf.mkdir()
    for stem in (first, second):
        (slides / (stem + ".slides.html")).write_text("<section></section>")
    (pdf / (first + ".pdf")).write_bytes(b"%PDF-1.4")
    export.write_index("slides", str(slides))
    page = (slides / "index.html").read_text()
    assert f'href="../pdf/{first}.pdf"' in page, page
    assert f'{second}.pdf' not in page, "a deck not printed yet gets no PDF link"
    assert "press S" in page and page.count("<li>") == 2


def test_hints_are_folded_in_the_page_and_kept_off_the_slides():
    import nbformat  # noqa: PLC0415

    hint = "Start one goroutine per task."
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Exercise", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell(f"<details><summary><b>Stuck?</b> A hint</summary>\n\n{hint}\n\n</details>\n"),
        nbformat.v4.new_markdown_cell("**Next:** on.")])
    page, _ = export.make_exporter("html", local=False).from_notebook_node(nb)
    folded = re.search(r"<details>(.*?)</details>", page, re.S)
    assert folded and hint in folded.group(1) and "Stuck?" in folded.group(1), "the hint is not folded in the page"
    assert page.count(hint) == 1
    deck, _ = export.make_exporter("slides", local=False).from_notebook_node(export.slide_layout.layout(nb))
    notes = "".join(re.findall(r'<aside class="notes">(.*?)</aside>', deck, re.S))
    assert hint in notes, "the hint is not in the speaker notes"
    assert deck.replace(notes, "").count(hint) == 0, "the hint is on a slide the audience sees"


def test_export_all_makes_only_what_is_missing_or_stale(tmp_path, monkeypatch, capsys):
    import os  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import nbformat  # noqa: PLC0415

    dep = tmp_path / "template.j2"
    dep.write_text("")
    monkeypatch.setattr(export, "EXPORT_DEPS", [str(dep)])
    executed = []
    for stem in ("01_a", "02_b"):
        path = tmp_path / f"{stem}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {stem}")]), path)
        executed.append(str(path))
    out = tmp_path / "html"

    def exported():
        assert export.export_all("html", str(out), executed)
        return [line.split(" -> ")[1].split()[0] for line in capsys.readouterr().out.splitlines()]

    def settle():  # every input older than every output, as after a run
        for p in [*map(Path, executed), dep, *out.glob("*.html")]:
            t = 1_000_000 if p.suffix != ".html" else 1_000_100
            os.utime(p, (t, t))

    assert [os.path.basename(p) for p in exported()] == ["01_a.html", "02_b.html"]
    settle()
    assert exported() == [], "nothing changed, nothing exported again"
    os.utime(executed[1])
    assert [os.path.basename(p) for p in exported()] == ["02_b.html"]
    settle()
    os.utime(dep)
    assert len(exported()) == 2, "the export's own code changed: everything again"
    settle()
    (out / "01_a.html").unlink()
    assert [os.path.basename(p) for p in exported()] == ["01_a.html"]
    assert "01_a<a class=\"anchor-link\"" in (out / "01_a.html").read_text(), "the heading is not rendered"


def test_export_all_reports_a_broken_notebook_and_exports_the_rest(tmp_path, capsys):
    import nbformat  # noqa: PLC0415

    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# good")]), good)
    bad.write_text("{")
    assert not export.export_all("html", str(tmp_path / "out"), [str(bad), str(good)])
    got = capsys.readouterr()
    assert "FAIL export html" in got.err and "02_bad.ipynb" in got.err
    assert (tmp_path / "out" / "01_good.html").exists() and not (tmp_path / "out" / "02_bad.html").exists()
