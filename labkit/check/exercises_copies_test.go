package check

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The verdict tests of the sample (08), broadcast (03) and race_tally (02) exercises run
// copies of the notebooks' stubs and reference solutions. This test keeps the copies
// honest: each function or method body, or string constant, copied here must match,
// token for token (comments aside), the one in the notebook's stub cell or in the .gocell
// solution it stands for.

type declCopy struct {
	notebook, exercise string
	solution           bool   // the .gocell solution (else the notebook's stub cell)
	inCell, inTest     string // "Func", "Type.Method" or "Const" in the cell, and its copy here
}

var declCopies = []declCopy{
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Subscribe", "mutexBroadcaster.Subscribe"},
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Unsubscribe", "mutexBroadcaster.Unsubscribe"},
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Publish", "mutexBroadcaster.Publish"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Subscribe", "rwBroadcaster.Subscribe"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Unsubscribe", "rwBroadcaster.Unsubscribe"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Publish", "rwBroadcaster.Publish"},
	{"08_backpressure", "sample", false, "Sample", "sampleEveryQuote"},
	{"08_backpressure", "sample", true, "Sample", "sampleOnTicks"},
	{"02_race_conditions", "race_tally", false, "TallyProgram", "tallyStubProgram"},
	{"02_race_conditions", "race_tally", true, "TallyProgram", "tallyMergeProgram"},
}

func TestDeclCopiesMatchTheNotebooks(t *testing.T) {
	root := filepath.Join("..", "..")
	copies := map[string]string{}
	for _, f := range []string{"nb02_tally_test.go", "nb03_broadcast_test.go", "nb08_sample_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, decl := range declTexts(t, string(b)) {
			copies[name] = decl
		}
	}
	for _, c := range declCopies {
		var cell, what string
		if c.solution {
			b, err := os.ReadFile(filepath.Join(root, "notebooks", "solutions", c.notebook, c.exercise+".gocell"))
			if err != nil {
				t.Fatal(err)
			}
			cell, what = string(b), "solution "+c.notebook+"/"+c.exercise+".gocell"
		} else {
			cell = stubCell(t, filepath.Join(root, "notebooks", c.notebook+".ipynb"), c.exercise)
			what = "stub cell " + c.exercise + " in " + c.notebook + ".ipynb"
		}
		want, ok := declTexts(t, "package main\n"+cell)[c.inCell]
		if !ok {
			t.Errorf("%s: no %s in the %s", c.inTest, c.inCell, what)
			continue
		}
		got, ok := copies[c.inTest]
		if !ok {
			t.Errorf("no copy %s in this package's tests", c.inTest)
			continue
		}
		if got != want {
			t.Errorf("%s differs from %s in the %s:\n--- copy\n%s\n--- notebook\n%s", c.inTest, c.inCell, what, got, want)
		}
	}
}

// declTexts returns, for every function ("Name"), method ("Type.Name") and string constant
// in src, its body printed without comments, or the constant's value.
func declTexts(t *testing.T, src string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0) // mode 0 drops comments
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					name = id.Name + "." + name
				}
			}
			var b bytes.Buffer
			if err := printer.Fprint(&b, fset, d.Body); err != nil {
				t.Fatal(err)
			}
			out[name] = b.String()
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok || d.Tok != token.CONST {
					continue
				}
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if v, err := strconv.Unquote(lit.Value); err == nil {
								out[id.Name] = v
							}
						}
					}
				}
			}
		}
	}
	return out
}
