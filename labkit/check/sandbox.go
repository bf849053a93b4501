package check

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/sandbox"
)

// Some mistakes cannot be seen from inside the reader's process, whatever the scenario:
// an unsynchronised n++ is one instruction on amd64 and loses no update at GOMAXPROCS=1,
// and a lock released between a read and a write only loses one when the scheduler
// happens to switch goroutines right there. So the checks for them rebuild the reader's
// type in a sandboxed program (see [sandbox.RunGo]) under the race detector, which flags
// unsynchronised access by happens-before, not by luck, and with a yield
// (runtime.Gosched) before every statement of its methods on one P, so every goroutine
// is switched out at every step and each interleaving a lock must prevent does happen.
// A yield changes nothing for correct code: it only lets other goroutines run.

// yieldImport is the name the rebuilt program imports runtime under, so it cannot clash
// with the reader's imports.
const yieldImport = "checkruntime"

// typeProgram returns a program holding the declaration of v's type, its methods and
// the declarations they use (read from the file the methods were compiled from), with a
// yield before every statement, followed by harness: a main that may use sync, fmt and
// newValue(), which returns a new zero value of v's type as an any.
func typeProgram(v any, harness string) (string, error) {
	typ := reflect.TypeOf(v)
	pointer := typ.Kind() == reflect.Pointer
	if pointer {
		typ = typ.Elem()
	}
	name := typ.Name()
	if name == "" {
		return "", fmt.Errorf("%v has no type name", reflect.TypeOf(v))
	}
	file, err := methodFile(reflect.TypeOf(v))
	if err != nil {
		return "", err
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution) // no comments
	if err != nil {
		return "", err
	}
	decls := declsFor(f, name)
	if len(decls) == 0 {
		return "", fmt.Errorf("no declaration of %s in %s", name, file)
	}
	for _, d := range decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
			addYields(fn.Body)
		}
	}
	var b bytes.Buffer
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n\t" + yieldImport + " \"runtime\"\n")
	for _, imp := range usedImports(f, decls) {
		b.WriteString("\t" + imp + "\n")
	}
	b.WriteString(")\n\nvar _, _ = fmt.Sprint, sync.NewCond\n\n")
	for _, d := range decls {
		if err := format.Node(&b, fset, d); err != nil {
			return "", err
		}
		b.WriteString("\n\n")
	}
	construct := "new(" + name + ")"
	if !pointer {
		construct = "*" + construct
	}
	fmt.Fprintf(&b, "func newValue() any { return %s }\n\n%s", construct, harness)
	return b.String(), nil
}

// methodFile returns the source file of one of typ's methods.
func methodFile(typ reflect.Type) (string, error) {
	for i := range typ.NumMethod() {
		pc := typ.Method(i).Func.Pointer()
		if fn := runtime.FuncForPC(pc); fn != nil {
			if file, _ := fn.FileLine(pc); strings.HasSuffix(file, ".go") {
				return file, nil
			}
		}
	}
	return "", fmt.Errorf("found no source file for the methods of %v", typ)
}

// declsFor returns the declarations of type name and its methods, and transitively of
// every other top-level name they use (a helper type, function, constant or variable),
// in the file's order.
func declsFor(f *ast.File, name string) []ast.Decl {
	// What each top-level name's declarations are.
	byName := map[string][]ast.Decl{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			key := d.Name.Name
			if recv := receiverName(d); recv != "" {
				key = recv // methods come with their type
			}
			byName[key] = append(byName[key], d)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, s := range d.Specs { // a whole block: a const block's iota needs it
				switch s := s.(type) {
				case *ast.TypeSpec:
					byName[s.Name.Name] = append(byName[s.Name.Name], d)
				case *ast.ValueSpec:
					for _, id := range s.Names {
						byName[id.Name] = append(byName[id.Name], d)
					}
				}
			}
		}
	}
	delete(byName, "main")
	delete(byName, "init")
	keep := map[ast.Decl]bool{}
	queue := []string{name}
	seen := map[string]bool{name: true}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range byName[n] {
			if keep[d] {
				continue
			}
			keep[d] = true
			ast.Inspect(d, func(node ast.Node) bool {
				if sel, ok := node.(*ast.SelectorExpr); ok {
					ast.Inspect(sel.X, func(x ast.Node) bool { return visitIdent(x, byName, seen, &queue) })
					return false // sel.Sel is a field or method, not a top-level name
				}
				return visitIdent(node, byName, seen, &queue)
			})
		}
	}
	var out []ast.Decl
	for _, d := range f.Decls { // in the file's order, so the program reads like the reader's code
		if keep[d] {
			out = append(out, d)
		}
	}
	return out
}

func visitIdent(node ast.Node, byName map[string][]ast.Decl, seen map[string]bool, queue *[]string) bool {
	if id, ok := node.(*ast.Ident); ok && !seen[id.Name] && byName[id.Name] != nil {
		seen[id.Name] = true
		*queue = append(*queue, id.Name)
	}
	return true
}

// receiverName is the name of fn's receiver type, "" for a function.
func receiverName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return ""
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// usedImports returns the import lines of f that decls use, except those the program
// imports itself.
func usedImports(f *ast.File, decls []ast.Decl) []string {
	used := map[string]bool{}
	for _, d := range decls {
		ast.Inspect(d, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					used[id.Name] = true
				}
			}
			return true
		})
	}
	var out []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		local := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if !used[local] || (imp.Name == nil && (path == "fmt" || path == "sync")) {
			continue
		}
		out = append(out, imp.Path.Value)
		if imp.Name != nil {
			out[len(out)-1] = imp.Name.Name + " " + imp.Path.Value
		}
	}
	return out
}

// addYields puts a yield before every statement in body and in the blocks nested in it.
func addYields(body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			n.List = withYields(n.List)
		case *ast.CaseClause:
			n.Body = withYields(n.Body)
		case *ast.CommClause:
			n.Body = withYields(n.Body)
		}
		return true
	})
}

func withYields(list []ast.Stmt) []ast.Stmt {
	out := make([]ast.Stmt, 0, 2*len(list))
	for _, s := range list {
		if _, ok := s.(*ast.ExprStmt); ok && isYield(s) {
			continue // already yielded (ast.Inspect may visit a block twice)
		}
		out = append(out, yieldStmt(), s)
	}
	return out
}

func yieldStmt() ast.Stmt {
	return &ast.ExprStmt{X: &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent(yieldImport), Sel: ast.NewIdent("Gosched")}}}
}

func isYield(s ast.Stmt) bool {
	call, ok := s.(*ast.ExprStmt).X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == yieldImport
}

// raceRun builds program with the race detector and runs it on one P (the yields decide
// the interleaving, not the machine).
//
// Within one process a program's verdict is worked out once and remembered
// (sandboxCache): a %test cell asks once, and the verdict tests, which ask again on every
// -count, would otherwise spend minutes rebuilding the same programs.
func raceRun(ctx context.Context, program string) (sandbox.Result, error) {
	run := func() (sandbox.Result, error) {
		return sandbox.RunGo(ctx, program, sandbox.Options{Race: true, Timeout: time.Minute, Env: []string{"GOMAXPROCS=1"}})
	}
	if !cacheSandboxRuns {
		return run()
	}
	entry, _ := sandboxRuns.LoadOrStore(program, &sandboxRun{})
	e := entry.(*sandboxRun)
	e.once.Do(func() { e.res, e.err = run() })
	return e.res, e.err
}

type sandboxRun struct {
	once sync.Once
	res  sandbox.Result
	err  error
}

var (
	sandboxRuns      sync.Map // program -> *sandboxRun
	cacheSandboxRuns = true   // the verdict tests' -fresh-sandbox flag turns it off
)

// raceReportSummary keeps, from a race report, the lines that say which accesses raced
// and where, each place followed by that line of the program: what a reader needs to
// find the variable. Calls the check inserted (yields, probes) are left out of the line.
func raceReportSummary(report, program string) string {
	source := strings.Split(program, "\n")
	var keep []string
	for line := range strings.Lines(report) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "Read at"), strings.HasPrefix(line, "Write at"),
			strings.HasPrefix(line, "Previous read at"), strings.HasPrefix(line, "Previous write at"):
			keep = append(keep, "  "+line)
		case strings.Contains(line, "main.go:"):
			_, place, _ := strings.Cut(line, "main.go:")
			place, _, _ = strings.Cut(place, " ")
			text := ""
			if n, err := strconv.Atoi(place); err == nil && n >= 1 && n <= len(source) {
				text = strings.TrimSpace(strings.ReplaceAll(source[n-1], probeCall, ""))
			}
			keep = append(keep, fmt.Sprintf("    line %s: %s", place, text))
		}
	}
	return strings.Join(keep, "\n")
}

// raceTrial rebuilds v's type (see typeProgram) with harness as its main, runs it under
// the race detector and returns the program and what it printed. A race, a failed build,
// a crash or a time-out is the error, phrased for the reader; what names the value ("your
// counter").
func raceTrial(v any, what, harness string) (program, output string, err error) {
	program, err = typeProgram(v, harness)
	if err != nil {
		return "", "", fmt.Errorf("check: could not read the source of %s to run it under the race detector: %v", what, err)
	}
	res, err := raceRun(context.Background(), program)
	switch {
	case err != nil:
		return program, "", err
	case res.BuildFailed:
		return program, "", fmt.Errorf("the check copies %s (its type, methods and what they use) into a program run "+
			"under the race detector, and that program did not build: keep the type's code in its own cell:\n%s", what, res.Output)
	case res.RaceDetected():
		return program, res.Output, fmt.Errorf("the race detector reported a data race in %s, called from several goroutines "+
			"(one reading while another writes counts too):\n%s", what, raceReportSummary(res.RaceReports()[0].Text, program))
	case res.TimedOut:
		return program, res.Output, fmt.Errorf("%s, called from several goroutines, had not finished after a minute: "+
			"is a goroutine waiting for a lock nobody releases?", what)
	case res.ExitCode != 0:
		return program, res.Output, fmt.Errorf("%s, called from several goroutines, crashed the program (%s):\n%s", what, res.Summary(), res.Output)
	}
	return program, res.Output, nil
}
