package check

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The verdict tests run copies of the stubs the notebooks ship and of their reference
// solutions. TestCopiesMatchTheNotebooks keeps the copies honest: every function, method
// or string constant (a whole program, for exercises run in a sandbox) copied here must match, token for token (comments aside), the one in the notebook's stub
// cell or in the .gocell solution it stands for. It also requires every exercise of every
// notebook to have copies of both, so a new exercise cannot go unjudged: add its rows here.

// exerciseCopy names one function of an exercise and its copy in this package's tests.
type exerciseCopy struct {
	notebook, exercise string
	solution           bool   // the .gocell solution (else the notebook's stub cell)
	inCell, inTest     string // "Func", "Type.Method" or "Const" (a string constant) in the cell, and its copy here
}

var exerciseCopies = []exerciseCopy{
	{"01_goroutines", "run_all", false, "RunAll", "runAllSequential"},
	{"01_goroutines", "run_all", true, "RunAll", "runAllConcurrent"},
	{"02_race_conditions", "safe_counter", false, "SafeCounter.Inc", "racyCounter.Inc"},
	{"02_race_conditions", "safe_counter", false, "SafeCounter.Value", "racyCounter.Value"},
	{"02_race_conditions", "safe_counter", true, "SafeCounter.Inc", "mutexCounter.Inc"},
	{"02_race_conditions", "safe_counter", true, "SafeCounter.Value", "mutexCounter.Value"},
	{"02_race_conditions", "race_tally", false, "TallyProgram", "tallyStubProgram"},
	{"02_race_conditions", "race_tally", true, "TallyProgram", "tallyMergeProgram"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Deposit", "reentrantAccount.Deposit"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Balance", "reentrantAccount.Balance"},
	{"03_locks_and_atomics", "withdraw", false, "Account.Withdraw", "reentrantAccount.Withdraw"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Deposit", "lockedHelperAccount.Deposit"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Balance", "lockedHelperAccount.Balance"},
	{"03_locks_and_atomics", "withdraw", true, "Account.balanceLocked", "lockedHelperAccount.balanceLocked"},
	{"03_locks_and_atomics", "withdraw", true, "Account.Withdraw", "lockedHelperAccount.Withdraw"},
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Subscribe", "mutexBroadcaster.Subscribe"},
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Unsubscribe", "mutexBroadcaster.Unsubscribe"},
	{"03_locks_and_atomics", "broadcast", false, "Broadcaster.Publish", "mutexBroadcaster.Publish"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Subscribe", "rwBroadcaster.Subscribe"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Unsubscribe", "rwBroadcaster.Unsubscribe"},
	{"03_locks_and_atomics", "broadcast", true, "Broadcaster.Publish", "rwBroadcaster.Publish"},
	{"04_channels", "merge", false, "Merge", "mergeNeverCloses"},
	{"04_channels", "merge", true, "Merge", "mergeClosesAfterWait"},
	{"05_worker_pools", "fetch_all", false, "FetchAll", "fetchAllUnbounded"},
	{"05_worker_pools", "fetch_all", true, "FetchAll", "fetchAllErrgroup"},
	{"06_goroutines_vs_processes", "run_commands", false, "RunCommands", "runCommandsStub"},
	{"06_goroutines_vs_processes", "run_commands", true, "RunCommands", "runCommandsSolution"},
	{"07_async_to_goroutines", "first_of", false, "FirstOf", "firstOfSequential"},
	{"07_async_to_goroutines", "first_of", true, "FirstOf", "firstOfSelect"},
	{"07_async_to_goroutines", "process_all", false, "ProcessAll", "processAllFireAndForget"},
	{"07_async_to_goroutines", "process_all", true, "ProcessAll", "processAllErrgroup"},
	{"08_backpressure", "sample", false, "Sample", "sampleEveryQuote"},
	{"08_backpressure", "sample", true, "Sample", "sampleOnTicks"},
	{"08_backpressure", "send_latest", false, "SendLatest", "sendLatestDropNewest"},
	{"08_backpressure", "send_latest", true, "SendLatest", "sendLatestConflate"},
	{"09_fx_workload", "by_pair", false, "ByPair", "byPairPerOrder"},
	{"09_fx_workload", "by_pair", true, "ByPair", "byPairGrouped"},
	{"09_fx_workload", "price_stage", false, "PriceStage", "priceStageStub"},
	{"09_fx_workload", "price_stage", true, "PriceStage", "priceStageSolution"},
	{"10_tcp_echo", "shutdown", false, "Serve", "shutdownStub"},
	{"10_tcp_echo", "shutdown", true, "Serve", "shutdownSolution"},
	{"10_tcp_echo", "idle", false, "EchoWithIdle", "idleStub"},
	{"10_tcp_echo", "idle", true, "EchoWithIdle", "idleSolution"},
	{"11_idioms", "items", false, "Items", "itemsEager"},
	{"11_idioms", "items", true, "Items", "itemsLazy"},
	{"11_idioms", "memo", false, "Memo", "memoNoDedup"},
	{"11_idioms", "memo", true, "Memo", "memoSingleflight"},
	{"11_idioms", "retry", false, "Retry", "retryFixed"},
	{"11_idioms", "retry", true, "Retry", "retryBackoff"},
	{"12_choosing", "split_work", false, "Process", "processOneAtATime"},
	{"12_choosing", "split_work", true, "Process", "processSlotsAroundParse"},
	{"13_memory_model", "forward", false, "Forward", "forwardSequential"},
	{"13_memory_model", "forward", true, "Forward", "forwardSelect"},
	{"14_http_services", "graceful_run", false, "Run", "gracefulRunStub"},
	{"14_http_services", "graceful_run", true, "Run", "gracefulRunSolution"},
	{"15_deadlocks_and_contention", "transfer", false, "Transfer", "transferFromThenTo"},
	{"15_deadlocks_and_contention", "transfer", true, "Transfer", "transferLowerIDFirst"},
}

// checkedInTheNotebook lists exercises ("notebook/exercise") whose check cell holds the
// whole check, so this package has nothing of theirs to copy.
var checkedInTheNotebook = []string{"00_start_here/clamp"}

func TestCopiesMatchTheNotebooks(t *testing.T) {
	root := filepath.Join("..", "..")
	copies := testFileBodies(t)

	// Every exercise the notebooks have, with its stub cell.
	stubs := map[string]string{} // "notebook/exercise" -> stub cell source
	paths, err := filepath.Glob(filepath.Join(root, "notebooks", "[0-9][0-9]_*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks found (%v)", err)
	}
	for _, path := range paths {
		notebook := strings.TrimSuffix(filepath.Base(path), ".ipynb")
		for exercise, src := range stubCells(t, path) {
			stubs[notebook+"/"+exercise] = src
		}
	}

	covered := map[string][2]bool{} // exercise -> has a stub row, has a solution row
	for _, c := range exerciseCopies {
		key := c.notebook + "/" + c.exercise
		t.Run(key+"/"+c.inTest, func(t *testing.T) {
			cell, what := stubs[key], "stub cell "+c.exercise+" in "+c.notebook+".ipynb"
			if c.solution {
				b, err := os.ReadFile(filepath.Join(root, "notebooks", "solutions", c.notebook, c.exercise+".gocell"))
				if err != nil {
					t.Fatal(err)
				}
				cell, what = string(b), "solution "+c.notebook+"/"+c.exercise+".gocell"
			} else if cell == "" {
				t.Fatalf("%s.ipynb has no stub cell for exercise %q", c.notebook, c.exercise)
			}
			want, ok := cellBodies(t, cell)[c.inCell]
			if !ok {
				t.Fatalf("no %s in the %s", c.inCell, what)
			}
			got, ok := copies[c.inTest]
			if !ok {
				t.Fatalf("no copy %s in this package's tests", c.inTest)
			}
			if got != want {
				t.Errorf("%s differs from %s in the %s:\n--- copy\n%s\n--- notebook\n%s", c.inTest, c.inCell, what, got, want)
			}
		})
		has := covered[key]
		has[btoi(c.solution)] = true
		covered[key] = has
	}

	for exercise := range stubs {
		if slices.Contains(checkedInTheNotebook, exercise) {
			continue
		}
		if has := covered[exercise]; !has[0] || !has[1] {
			t.Errorf("exercise %s: the verdict tests need copies of its stub (%v) and its solution (%v): add rows to exerciseCopies", exercise, has[0], has[1])
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stubCells returns the source of every exercise stub cell in the notebook at path, by
// exercise name.
func stubCells(t testing.TB, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Source   any `json:"source"`
			Metadata struct {
				Tags []string `json:"tags"`
				Lab  struct {
					Exercise string `json:"exercise"`
				} `json:"lab"`
			} `json:"metadata"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for _, c := range nb.Cells {
		if c.Metadata.Lab.Exercise == "" || !slices.Contains(c.Metadata.Tags, "exercise-stub") {
			continue
		}
		var src string
		switch s := c.Source.(type) {
		case string:
			src = s
		case []any:
			var b strings.Builder
			for _, line := range s {
				l, _ := line.(string)
				b.WriteString(l)
			}
			src = b.String()
		}
		out[c.Metadata.Lab.Exercise] = src
	}
	return out
}

// cellBodies returns the bodies of the functions and methods in a notebook cell. The
// cell's "check." qualifiers are dropped: its copies live inside package check.
func cellBodies(t testing.TB, cell string) map[string]string {
	t.Helper()
	return bodies(t, "cell", "package main\n"+strings.ReplaceAll(cell, "check.", ""))
}

// testFileBodies returns the bodies of the functions and methods in this package's tests.
func testFileBodies(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, body := range bodies(t, f, string(b)) {
			out[name] = body
		}
	}
	return out
}

// bodies returns the printed body, without comments, of every function ("Name") and
// method ("Type.Name") in src, and the value of every string constant ("Name").
func bodies(t testing.TB, name, src string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0) // mode 0 drops comments
	if err != nil {
		t.Fatalf("parse %s: %v\n%s", name, err, src)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				var b bytes.Buffer
				if err := printer.Fprint(&b, fset, d.Body); err != nil {
					t.Fatal(err)
				}
				out[funcName(d)] = dropBlankLines(b.String())
			}
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out[id.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}

// funcName is "Name" for a function and "Type.Name" for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv != nil && len(fn.Recv.List) == 1 {
		typ := fn.Recv.List[0].Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if id, ok := typ.(*ast.Ident); ok {
			return id.Name + "." + fn.Name.Name
		}
	}
	return fn.Name.Name
}

// dropBlankLines removes empty lines, which the printer keeps where a dropped comment
// stood.
func dropBlankLines(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.TrimSpace(line) != "" {
			b.WriteString(line)
		}
	}
	return b.String()
}
