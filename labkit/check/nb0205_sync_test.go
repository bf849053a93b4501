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

// The verdict tests for notebooks 02–05 run copies of the stubs the notebooks ship and of
// their reference solutions. This test keeps the copies honest: every function or method
// copied here must match, token for token (comments aside), the one in the notebook's stub
// cell or in the .gocell solution it stands for.

type nb0205Copy struct {
	notebook, exercise string
	stub               bool   // the notebook's stub cell (else the .gocell solution)
	inCell, inTest     string // "Func" or "Type.Method" in the cell, and its copy here
}

var nb0205Copies = []nb0205Copy{
	{"02_race_conditions", "safe_counter", true, "SafeCounter.Inc", "racyCounter.Inc"},
	{"02_race_conditions", "safe_counter", true, "SafeCounter.Value", "racyCounter.Value"},
	{"02_race_conditions", "safe_counter", false, "SafeCounter.Inc", "mutexCounter.Inc"},
	{"02_race_conditions", "safe_counter", false, "SafeCounter.Value", "mutexCounter.Value"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Deposit", "reentrantAccount.Deposit"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Balance", "reentrantAccount.Balance"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Withdraw", "reentrantAccount.Withdraw"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Deposit", "lockedHelperAccount.Deposit"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Balance", "lockedHelperAccount.Balance"},
	{"03_locks_and_atomics", "withdraw", false, "Account.balanceLocked", "lockedHelperAccount.balanceLocked"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Withdraw", "lockedHelperAccount.Withdraw"},
	{"04_channels", "merge", true, "Merge", "mergeNeverCloses"},
	{"04_channels", "merge", false, "Merge", "mergeClosesAfterWait"},
	{"05_worker_pools", "fetch_all", true, "FetchAll", "fetchAllUnbounded"},
	{"05_worker_pools", "fetch_all", false, "FetchAll", "fetchAllErrgroup"},
}

func TestNb0205CopiesMatchTheNotebooks(t *testing.T) {
	root := filepath.Join("..", "..")
	copies := map[string]string{}
	for _, f := range []string{"nb02_test.go", "nb03_test.go", "nb04_test.go", "nb05_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, body := range nb0205Bodies(t, string(b)) {
			copies[name] = body
		}
	}
	for _, c := range nb0205Copies {
		var cell, what string
		if c.stub {
			cell = stubCell(t, filepath.Join(root, "notebooks", c.notebook+".ipynb"), c.exercise)
			what = "stub cell " + c.exercise + " in " + c.notebook + ".ipynb"
		} else {
			b, err := os.ReadFile(filepath.Join(root, "notebooks", "solutions", c.notebook, c.exercise+".gocell"))
			if err != nil {
				t.Fatal(err)
			}
			cell = string(b)
			what = "solution " + c.exercise + ".gocell"
		}
		want, ok := nb0205Bodies(t, "package main\n"+cell)[c.inCell]
		if !ok {
			t.Errorf("%s: no %s in the %s", c.inTest, c.inCell, what)
			continue
		}
		got, ok := copies[c.inTest]
		if !ok {
			t.Errorf("no copy %s in nb02..nb05_test.go", c.inTest)
			continue
		}
		if got != want {
			t.Errorf("%s differs from %s in the %s:\n--- copy\n%s\n--- notebook\n%s", c.inTest, c.inCell, what, got, want)
		}
	}
}

// nb0205Bodies returns the printed body, without comments, of every function ("Name") and
// method ("Type.Name") in src.
func nb0205Bodies(t *testing.T, src string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0) // mode 0 drops comments
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if fn.Recv != nil && len(fn.Recv.List) == 1 {
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				name = id.Name + "." + name
			}
		}
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, fn.Body); err != nil {
			t.Fatal(err)
		}
		out[name] = b.String()
	}
	return out
}
