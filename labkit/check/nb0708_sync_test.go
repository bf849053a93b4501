package check

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"testing"
)

// The verdict tests in nb07_test.go, nb08_test.go and nb09_test.go run copies of the stubs the notebooks
// ship and of their reference solutions. This test keeps the copies honest: each copy's
// body must match, token for token (comments aside), the cell in the notebook or the
// .gocell file it stands for.

type nb0708Copy struct {
	notebook, exercise string // which exercise
	cellFunc, testFunc string // the function in the cell, and its copy in this package
	stub               bool   // compare with the notebook's stub cell (else the .gocell solution)
}

var nb0708Copies = []nb0708Copy{
	{"07_async_to_goroutines", "first_of", "FirstOf", "firstOfSequential", true},
	{"07_async_to_goroutines", "first_of", "FirstOf", "firstOfSelect", false},
	{"07_async_to_goroutines", "process_all", "ProcessAll", "processAllFireAndForget", true},
	{"07_async_to_goroutines", "process_all", "ProcessAll", "processAllErrgroup", false},
	{"08_backpressure", "send_latest", "SendLatest", "sendLatestDropNewest", true},
	{"08_backpressure", "send_latest", "SendLatest", "sendLatestConflate", false},
	{"09_fx_workload", "by_pair", "ByPair", "byPairPerOrder", true},
	{"09_fx_workload", "by_pair", "ByPair", "byPairGrouped", false},
	{"09_fx_workload", "price_stage", "PriceStage", "priceStageStub", true},
	{"09_fx_workload", "price_stage", "PriceStage", "priceStageSolution", false},
}

func TestNb0708CopiesMatchTheNotebooks(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, c := range nb0708Copies {
		var cell string
		if c.stub {
			cell = stubCell(t, filepath.Join(root, "notebooks", c.notebook+".ipynb"), c.exercise)
		} else {
			b, err := os.ReadFile(filepath.Join(root, "notebooks", "solutions", c.notebook, c.exercise+".gocell"))
			if err != nil {
				t.Fatal(err)
			}
			cell = string(b)
		}
		want := nb0708Body(t, "package main\n"+cell, c.cellFunc)
		var copies []string
		for _, f := range []string{"nb07_test.go", "nb08_test.go", "nb09_test.go"} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if body, ok := nb0708FindBody(t, string(b), c.testFunc); ok {
				copies = append(copies, body)
			}
		}
		if len(copies) != 1 {
			t.Fatalf("%s: found %d copies, want 1", c.testFunc, len(copies))
		}
		if copies[0] != want {
			what := "solution " + c.exercise + ".gocell"
			if c.stub {
				what = "stub cell " + c.exercise + " in " + c.notebook + ".ipynb"
			}
			t.Errorf("%s differs from the %s:\n--- copy\n%s\n--- notebook\n%s", c.testFunc, what, copies[0], want)
		}
	}
}

func nb0708Body(t *testing.T, src, name string) string {
	t.Helper()
	body, ok := nb0708FindBody(t, src, name)
	if !ok {
		t.Fatalf("no func %s in:\n%s", name, src)
	}
	return body
}

// nb0708FindBody returns the printed body of func name in src, without comments.
func nb0708FindBody(t *testing.T, src, name string) (string, bool) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0) // mode 0: comments are dropped
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == name {
			var b bytes.Buffer
			if err := printer.Fprint(&b, fset, fn.Body); err != nil {
				t.Fatal(err)
			}
			return b.String(), true
		}
	}
	return "", false
}
