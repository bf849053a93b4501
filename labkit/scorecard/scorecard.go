// Package scorecard is the lab's one progress view: for each notebook, which exercises pass
// now — judged on the exercise cells as the reader saved them in the .ipynb, not on the
// reference solutions — and how the reader's recorded predictions ([nb.Predict]) compared
// with what the notebooks measured. `make progress` prints it; the last cell of notebook 00
// shows it.
//
// An exercise is judged by building its stub cell and its %test check cell, exactly as saved,
// into a throw-away Go package under build/_scorecard/ of the lab's module and running
// `go test` there: the same check the notebook's %test cell runs, without a kernel.
package scorecard

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/nb"
)

// Exercise is one exercise of a notebook and its verdict now.
type Exercise struct {
	Notebook string // "01_goroutines"
	Name     string // the exercise's name (metadata lab.exercise)
	Passed   bool
	// Why is the first lines of the failure, or why the exercise could not be judged.
	Why string
}

// Notebook is one notebook's line of the progress view.
type Notebook struct {
	Stem        string // "01_goroutines"
	Exercises   []Exercise
	Predictions []nb.Prediction
}

type cell struct {
	CellType string          `json:"cell_type"`
	Source   json.RawMessage `json:"source"`
	Metadata struct {
		Tags []string `json:"tags"`
		Lab  struct {
			Exercise string `json:"exercise"`
		} `json:"lab"`
	} `json:"metadata"`
}

func (c cell) text() string {
	var one string
	if json.Unmarshal(c.Source, &one) == nil {
		return one
	}
	var lines []string
	_ = json.Unmarshal(c.Source, &lines) // a malformed source reads as empty: the build says why
	return strings.Join(lines, "")
}

// exercise is what it takes to judge one exercise: its stub cell and its check cell.
type exercise struct {
	notebook, name string
	stub, check    string
	// earlier are the declaration cells (no %% program) above the stub, which GoNB keeps
	// declared for later cells; a stub that uses one of them gets it (see judge).
	earlier []string
}

var stemPattern = regexp.MustCompile(`^[0-9]{2}_[a-z0-9_]+$`)

// readExercises lists the exercises of notebooksDir/stem.ipynb in notebook order.
func readExercises(notebooksDir, stem string) ([]exercise, error) {
	data, err := os.ReadFile(filepath.Join(notebooksDir, stem+".ipynb"))
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	var file struct{ Cells []cell }
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("scorecard: %s.ipynb is not a notebook: %w", stem, err)
	}
	var out []exercise
	find := func(name string) *exercise {
		for i := range out {
			if out[i].name == name {
				return &out[i]
			}
		}
		out = append(out, exercise{notebook: stem, name: name})
		return &out[len(out)-1]
	}
	var earlier []string
	for _, c := range file.Cells {
		name := c.Metadata.Lab.Exercise
		if c.CellType != "code" {
			continue
		}
		if name == "" {
			if !programLine.MatchString(c.text()) {
				earlier = append(earlier, c.text())
			}
			continue
		}
		switch {
		case slices.Contains(c.Metadata.Tags, "exercise-stub"):
			ex := find(name)
			ex.stub, ex.earlier = c.text(), slices.Clone(earlier)
		case slices.Contains(c.Metadata.Tags, "exercise-check"):
			find(name).check = c.text()
		}
	}
	return out, nil
}

// Stems lists the lab's notebooks in notebooksDir (NN_topic.ipynb), in order.
func Stems(notebooksDir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(notebooksDir, "[0-9][0-9]_*.ipynb"))
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	var stems []string
	for _, p := range paths {
		if s := strings.TrimSuffix(filepath.Base(p), ".ipynb"); stemPattern.MatchString(s) {
			stems = append(stems, s)
		}
	}
	if len(stems) == 0 {
		return nil, fmt.Errorf("scorecard: no NN_topic.ipynb notebooks in %s", notebooksDir)
	}
	return stems, nil
}

// Options say which notebooks to judge and how.
type Options struct {
	// Notebooks are the stems to include ("01_goroutines"); empty means all. A number
	// ("01") selects the notebook with that number.
	Notebooks []string
	// Parallel is how many checks run at once; zero means 2.
	Parallel int
	// Progress, if set, is called after each exercise is judged.
	Progress func(done, total int)
	// SkipExercises leaves the exercise checks out (the predictions alone are instant).
	SkipExercises bool
	// Module is the root of the lab's Go module, where the checks are built; empty means
	// the nearest folder holding notebooksDir that has a go.mod.
	Module string
}

// Collect judges the exercises of the notebooks in notebooksDir and reads the reader's predictions. It stops early, with
// ctx's error, when ctx is done; the go test processes it started are killed.
func Collect(ctx context.Context, notebooksDir string, o Options) ([]Notebook, error) {
	stems, err := selectStems(notebooksDir, o.Notebooks)
	if err != nil {
		return nil, err
	}
	predictions, err := nb.Predictions()
	if err != nil {
		return nil, err
	}
	books := make([]Notebook, len(stems))
	var todo []*Exercise
	var specs []exercise
	for i, stem := range stems {
		books[i].Stem = stem
		for _, p := range predictions {
			if p.Notebook() == stem[:2] {
				books[i].Predictions = append(books[i].Predictions, p)
			}
		}
		if o.SkipExercises {
			continue
		}
		exs, err := readExercises(notebooksDir, stem)
		if err != nil {
			return nil, err
		}
		books[i].Exercises = make([]Exercise, len(exs))
		for j, ex := range exs {
			books[i].Exercises[j] = Exercise{Notebook: stem, Name: ex.name}
			todo = append(todo, &books[i].Exercises[j])
			specs = append(specs, ex)
		}
	}
	if len(todo) == 0 {
		return books, nil
	}
	module, err := moduleRoot(cmp.Or(o.Module, notebooksDir))
	if err != nil {
		return nil, err
	}
	// "_" keeps the reader's stubs out of ./... patterns (go vet ./..., go test ./...).
	work := filepath.Join(module, "build", "_scorecard")
	runChecks(ctx, module, work, todo, specs, o)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	return books, nil
}

// selectStems lists the notebooks in notebooksDir, only those wanted (by stem or number)
// if any are.
func selectStems(notebooksDir string, wanted []string) ([]string, error) {
	stems, err := Stems(notebooksDir)
	if err != nil || len(wanted) == 0 {
		return stems, err
	}
	stems = slices.DeleteFunc(stems, func(s string) bool {
		return !slices.ContainsFunc(wanted, func(want string) bool { return s == want || s[:2] == want })
	})
	if len(stems) == 0 {
		return nil, fmt.Errorf("scorecard: no notebook matches %q", wanted)
	}
	return stems, nil
}

// runChecks judges specs[i] into todo[i], o.Parallel at a time, until ctx is done.
func runChecks(ctx context.Context, module, work string, todo []*Exercise, specs []exercise, o Options) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, cmp.Or(o.Parallel, 2))
	)
	for i := range todo {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return
			}
			passed, why := judge(ctx, module, work, specs[i])
			mu.Lock()
			todo[i].Passed, todo[i].Why = passed, why
			done++
			if o.Progress != nil {
				o.Progress(done, len(todo))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
}

// programLine marks a cell with a program (GoNB's %% or a shell line), not only declarations.
var programLine = regexp.MustCompile(`(?m)^\s*(%%|!)`)

// undefinedName finds the names a build could not resolve.
var undefinedName = regexp.MustCompile(`undefined: (\w+)`)

// declares reports whether a cell declares name at the top level.
func declares(cellText, name string) bool {
	q := regexp.QuoteMeta(name)
	return regexp.MustCompile(`(?m)^(func (\([^)]*\) )?` + q + `\b|type ` + q + `\b|var ` + q + `\b|const ` + q + `\b|\t` + q + `\b.*=)`).MatchString(cellText)
}

// gonbLine matches the lines of a cell that are GoNB's, not Go's (%test, %%, !shell, %flags).
var gonbLine = regexp.MustCompile(`^\s*(%|!)`)

func goSource(cellText string) string {
	var b strings.Builder
	b.WriteString("package exercise\n\n")
	for line := range strings.Lines(cellText) {
		if gonbLine.MatchString(line) {
			line = "\n" // keep the line numbers of the reader's cell
		}
		b.WriteString(strings.TrimSuffix(line, "\n") + "\n")
	}
	return b.String()
}

// checkTimeout bounds one exercise's check: a stub that deadlocks must not stall the view.
const checkTimeout = 3 * time.Minute

// judge builds the exercise's stub and check into a package of their own and runs the check.
func judge(ctx context.Context, module, work string, ex exercise) (passed bool, why string) {
	switch {
	case ex.stub == "":
		return false, "no exercise-stub cell"
	case ex.check == "":
		return false, "no exercise-check cell"
	}
	dir := filepath.Join(work, ex.notebook+"_"+ex.name)
	if why := writePackage(ctx, module, dir, ex); why != "" {
		return false, why
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	test := func() ([]byte, error) {
		return run(ctx, module, "go", "test", "-count=1", "-vet=off", "./"+filepath.ToSlash(mustRel(module, dir)))
	}
	out, err := test()
	// The stub uses something an earlier cell declared: add the latest cell declaring each
	// missing name, as GoNB would have it in scope, and build again.
	added := map[int]bool{}
	for range 3 {
		grew, why := addEarlier(ctx, module, dir, ex, string(out), added)
		if why != "" {
			return false, why
		}
		if err == nil || !grew {
			break
		}
		out, err = test()
	}
	if err == nil {
		return true, ""
	}
	if ctx.Err() != nil {
		return false, fmt.Sprintf("the check did not finish within %v", checkTimeout)
	}
	return false, firstLines(out, err)
}

// writePackage writes the exercise's stub and check into a fresh dir; it returns why not,
// if it could not.
func writePackage(ctx context.Context, module, dir string, ex exercise) (why string) {
	if err := os.RemoveAll(dir); err != nil {
		return err.Error()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err.Error()
	}
	stub, check := filepath.Join(dir, "stub.go"), filepath.Join(dir, "check_test.go")
	if err := os.WriteFile(stub, []byte(goSource(ex.stub)), 0o644); err != nil {
		return err.Error()
	}
	if err := os.WriteFile(check, []byte(goSource(ex.check)), 0o644); err != nil {
		return err.Error()
	}
	// GoNB runs goimports on every cell, so cells may leave out standard imports: so do we.
	if out, err := run(ctx, module, "goimports", "-w", stub, check); err != nil {
		return "goimports: " + firstLines(out, err)
	}
	return ""
}

// addEarlier adds to dir, for each name the build output says is undefined, the latest
// earlier cell declaring it (not yet added); it reports whether it added any.
func addEarlier(ctx context.Context, module, dir string, ex exercise, buildOutput string, added map[int]bool) (grew bool, why string) {
	for _, m := range undefinedName.FindAllStringSubmatch(buildOutput, -1) {
		for i := len(ex.earlier) - 1; i >= 0; i-- {
			if !added[i] && declares(ex.earlier[i], m[1]) {
				added[i], grew = true, true
				f := filepath.Join(dir, fmt.Sprintf("earlier%d.go", i))
				if err := os.WriteFile(f, []byte(goSource(ex.earlier[i])), 0o644); err != nil {
					return grew, err.Error()
				}
				if out, err := run(ctx, module, "goimports", "-w", f); err != nil {
					return grew, "goimports: " + firstLines(out, err)
				}
				break
			}
		}
	}
	return grew, ""
}

func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("scorecard: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("scorecard: no go.mod in %s or above: run from the lab's folder", abs)
		}
	}
}

func mustRel(base, path string) string {
	r, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return r
}

func run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second // a child holding the pipe open does not hang us
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// firstLines is the informative part of go test's output: the failures, not the file names.
func firstLines(out []byte, err error) string {
	var keep []string
	for line := range strings.Lines(string(out)) {
		line = strings.TrimRight(line, "\n")
		t := strings.TrimSpace(line)
		if t == "" || t == "FAIL" || strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "ok ") ||
			strings.HasPrefix(t, "=== RUN") || strings.HasPrefix(t, "# ") {
			continue
		}
		keep = append(keep, t)
		if len(keep) == 3 {
			break
		}
	}
	if len(keep) == 0 {
		if errors.Is(err, exec.ErrNotFound) {
			return err.Error()
		}
		return fmt.Sprint(err)
	}
	return strings.Join(keep, " / ")
}
