package labkit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// errorPrefixProblems returns one line per error made by errors.New or fmt.Errorf, from a
// string literal, that leaves its package without "pkg: " in front (pkg being the file's
// package name): one an exported function or method returns as is, or a package-level
// variable. An error made as an argument or a field of something else is wrapped there,
// and the wrapper says where it came from (procpool.TaskError, "load: stopped early:
// %w"); so, usually, are the errors of unexported helpers and function literals, which
// this rule leaves to review. A message that starts by wrapping another error ("%w: ...")
// carries that error's prefix and passes.
func errorPrefixProblems(fset *token.FileSet, file *ast.File) []string {
	want := file.Name.Name + ": "
	var bad []string
	check := func(e ast.Expr) {
		call, ok := e.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || !(pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && sel.Sel.Name == "Errorf") {
			return
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		msg, err := strconv.Unquote(lit.Value)
		if err != nil || strings.HasPrefix(msg, want) || strings.HasPrefix(msg, "%w") {
			return
		}
		bad = append(bad, fset.Position(lit.Pos()).String()+": "+lit.Value+" does not start with "+strconv.Quote(want))
	}
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, spec := range g.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					check(v)
				}
			}
		}
	}
	for _, d := range file.Decls {
		f, ok := d.(*ast.FuncDecl)
		if !ok || f.Body == nil || !f.Name.IsExported() {
			continue
		}
		ast.Inspect(f.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				for _, e := range n.Results {
					check(e)
				}
			}
			return true
		})
	}
	return bad
}

// TestErrorsArePrefixed holds every library package (not tests, not commands) to the
// style of the standard library: an error's message starts with the package's name.
// labkit/check is exempt: its errors are verdicts addressed to the reader of a notebook.
func TestErrorsArePrefixed(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "build", "testdata", "check", ".venv", "tools":
				return filepath.SkipDir
			}
			if strings.HasPrefix(d.Name(), ".") && path != ".." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		files++
		for _, p := range errorPrefixProblems(fset, f) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read %d library files; expected the whole module", files)
	}
}

// TestErrorPrefixProblems shows the rule catches what it should.
func TestErrorPrefixProblems(t *testing.T) {
	src := `package timing
import ("errors"; "fmt")
var (
	a = errors.New("timing: fine")
	b = fmt.Errorf("%w: fine, wraps", a)
	c = errors.New("no prefix")
)
func F() error { return fmt.Errorf("chart: another package's prefix %d", 1) }
func (T) G() (int, error) { return 0, fmt.Errorf("timingx: close but wrong") }
func h() error { return wrap(errors.New("inner: the wrapper says where")) }
func i() error { err := errors.New("inner too"); return fmt.Errorf("timing: i: %w", err) }
func helper() error { return errors.New("unexported: its callers wrap it") }
func J() error { return func() error { return errors.New("a literal's: wrapped where it goes") }() }`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := errorPrefixProblems(fset, f)
	if len(got) != 3 {
		t.Fatalf("got %d problems, want 3 (c, F, G):\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, name := range []string{`"no prefix"`, `"chart: another`, `"timingx:`} {
		if !strings.Contains(got[i], name) {
			t.Errorf("problem %d = %s, want it about %s", i, got[i], name)
		}
	}
}
