// Package pybaseline runs the lab's Python baselines — stdlib-only scripts in
// baselines/python — and decodes the JSON object each prints on stdout.
//
// Notebooks compare Go with the asyncio or threading code a Python programmer would
// write, measured inside Python so interpreter start-up is not counted. python3 is
// optional: Run reports ErrNoPython when it is missing so callers can skip visibly rather
// than fail. A free-threaded CPython (3.13t, 3.14t), where the machine has one, runs the
// same scripts through [FreeThreaded] and [Interpreter.Run].
package pybaseline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/internal/labroot"
	"github.com/go-concurrency-lab/lab/labkit/nb"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// ErrNoPython is returned (wrapped) when python3 is not on PATH.
var ErrNoPython = errors.New("pybaseline: python3 not found on PATH")

// Dir returns the baselines/python directory of the lab's checkout. LABKIT_ROOT, if set,
// names the checkout; otherwise it is found from this package's source location.
func Dir() (string, error) {
	root, err := labroot.Dir("baselines/python")
	if err != nil {
		return "", fmt.Errorf("pybaseline: Dir: %w", err)
	}
	return filepath.Join(root, "baselines", "python"), nil
}

// Available reports whether python3 is on PATH, returning its path or [ErrNoPython].
func Available() (string, error) {
	path, err := exec.LookPath("python3")
	if err != nil {
		return "", ErrNoPython
	}
	return path, nil
}

// Run runs python3 on script (a file name in Dir, e.g. "asyncio_sleeps.py") with args,
// and decodes the JSON object it prints on stdout into out. Cancelling ctx kills the
// interpreter and Run returns ctx.Err(). A script that fails yields an error carrying
// its stderr; one that prints something other than JSON yields an error quoting it.
// It is the zero [Interpreter]'s Run.
func Run(ctx context.Context, script string, out any, args ...string) error {
	return Interpreter{}.Run(ctx, script, out, args...)
}

// An Interpreter is a Python to run the baselines on. The zero value is python3 from PATH;
// [FreeThreaded] finds a free-threaded one.
type Interpreter struct {
	Path    string // the executable; empty: python3 found on PATH
	Version string // e.g. "3.14.0", when FreeThreaded asked the interpreter; else empty
}

// Run runs script on py as the package-level [Run] does on python3.
func (py Interpreter) Run(ctx context.Context, script string, out any, args ...string) error {
	if out == nil {
		return errors.New("pybaseline: Run: out is nil: pass a pointer to decode the result into")
	}
	python, path, err := py.script("Run", script)
	if err != nil {
		return err
	}
	// proc.Command kills the interpreter's whole process group on cancel, so the worker
	// processes a multiprocessing baseline starts die with it.
	cmd := proc.Command(ctx, python, append([]string{path}, args...)...)
	cmd.WaitDelay = time.Second // do not hang on a grandchild holding the pipes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("pybaseline: Run(%s): %w: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("pybaseline: Run(%s): output is not the expected JSON (%w): %.200q", script, err, stdout.String())
	}
	return nil
}

// Script returns python3's path and the path of script (a file name in [Dir]), for a
// baseline the caller runs itself, such as a server, rather than through [Run]. It
// returns [ErrNoPython] when python3 is missing.
func Script(script string) (python, path string, err error) {
	return Interpreter{}.script("Script", script)
}

// script resolves py's executable and the path of script; caller names the function in
// its errors.
func (py Interpreter) script(caller, script string) (python, path string, err error) {
	if script == "" || script != filepath.Base(script) || !strings.HasSuffix(script, ".py") {
		return "", "", fmt.Errorf("pybaseline: %s: script = %q, want a .py file name in baselines/python", caller, script)
	}
	if python = py.Path; python == "" {
		if python, err = Available(); err != nil {
			return "", "", err
		}
	}
	dir, err := Dir()
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, script)
	if _, err := os.Stat(path); err != nil {
		return "", "", fmt.Errorf("pybaseline: %s: script %q: %w", caller, script, err)
	}
	return python, path, nil
}

// Source returns the source of the function, method or class called name in script (a
// file name in [Dir]), dedented: "price_loop", or "Session.run_threads" for a method.
// Notebooks show the Python they measure with it, read from the very file that runs, so
// the text on screen cannot drift from the code measured.
func Source(script, name string) (string, error) {
	if script == "" || script != filepath.Base(script) || !strings.HasSuffix(script, ".py") {
		return "", fmt.Errorf("pybaseline: Source: script = %q, want a .py file name in baselines/python", script)
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	raw, err := os.ReadFile(filepath.Join(dir, script))
	if err != nil {
		return "", fmt.Errorf("pybaseline: Source: %w", err)
	}
	lines := strings.Split(string(raw), "\n")
	indentOf := func(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }
	// The block searched is lines[lo:hi]; its definitions sit at indentation depth (the
	// file's top level first, then the body of the definition found).
	lo, hi, depth, indent := 0, len(lines), 0, 0
	for _, part := range strings.Split(name, ".") {
		start := -1
		for i := lo; i < hi; i++ {
			if indentOf(lines[i]) == depth && defines(strings.TrimLeft(lines[i], " "), part) {
				start, indent = i, depth
				break
			}
		}
		if start < 0 {
			return "", fmt.Errorf("pybaseline: Source: %s defines no %q", script, name)
		}
		end := start + 1 // the block ends at the first non-blank line not indented deeper
		for end < hi && (strings.TrimSpace(lines[end]) == "" || indentOf(lines[end]) > indent) {
			end++
		}
		for end > start+1 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		lo, hi = start, end
		for i := start + 1; i < end; i++ { // the body's own depth, for a name inside it
			if strings.TrimSpace(lines[i]) != "" {
				depth = indentOf(lines[i])
				break
			}
		}
	}
	var b strings.Builder
	for _, line := range lines[lo:hi] {
		b.WriteString(strings.TrimRight(line[min(indent, len(line)):], " "))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// defines reports whether the (unindented) line starts the definition of name.
func defines(line, name string) bool {
	for _, kw := range []string{"def ", "async def ", "class "} {
		if rest, ok := strings.CutPrefix(line, kw+name); ok && rest != "" && strings.ContainsRune("(:", rune(rest[0])) {
			return true
		}
	}
	return false
}

// ShowSource displays the named definitions of script (see [Source]) as one Python code
// block: rendered in a notebook, printed anywhere else. It panics if the script or a
// definition is not there: a cell names a file of this repository, so that is a bug to
// fix, like a constant pattern [regexp.MustCompile] rejects (a test keeps the
// notebooks' names valid).
func ShowSource(script string, names ...string) {
	var b strings.Builder
	fmt.Fprintf(&b, "`baselines/python/%s`, the code that runs:\n\n```python\n", script)
	for i, name := range names {
		src, err := Source(script, name)
		if err != nil {
			panic(err)
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(src)
	}
	b.WriteString("```")
	nb.Markdown(b.String())
}
