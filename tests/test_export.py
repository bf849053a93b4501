"""The export's Go highlighting (scripts/export.py), without a kernel or a browser."""
import html
import importlib.util
import os
import re

import nblab

spec = importlib.util.spec_from_file_location("export", os.path.join(nblab.ROOT, "scripts", "export.py"))
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)

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
