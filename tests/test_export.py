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
