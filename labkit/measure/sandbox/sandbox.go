// Package sandbox compiles and runs a small Go program in a separate process, so a notebook
// can show a crash, a deadlock or a data-race report without taking its own kernel down.
//
// Some lessons are about programs that die (`fatal error: concurrent map writes`, `send on
// closed channel`) or never finish (a goroutine waiting on a lock it already holds). [RunGo]
// writes the source into a throw-away module in a temporary directory, builds it (with the
// race detector if asked), runs it with a time limit, and returns its exit status and
// output. On timeout or cancellation it kills the program's whole process group, and it
// always removes its temporary files.
package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// Defaults used when Options leaves a field zero.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultMaxOutput = 256 << 10
	// buildLimit bounds the compile step; a cold -race build of the standard library is slow.
	buildLimit = 3 * time.Minute
)

// Options configure one run. The zero value runs without the race detector, with
// DefaultTimeout and DefaultMaxOutput.
type Options struct {
	// Race builds the program with -race, so data races are reported on its stderr and
	// the program exits with status 66 if any were found.
	Race bool
	// Timeout bounds how long the program may run (the build is not counted). When it
	// expires the process group is killed and Result.TimedOut is set.
	Timeout time.Duration
	// MaxOutput caps the bytes of output kept; the rest is dropped and Result.Truncated set.
	MaxOutput int
	// Env adds KEY=value entries to the program's environment (e.g. "GOMAXPROCS=2").
	Env []string
}

// Result is what happened to the program.
type Result struct {
	// Output is the program's stdout and stderr interleaved as written (or the compiler's
	// messages, if the build failed).
	Output string
	// ExitCode is the program's exit status: 0 for success, 2 for a Go panic or fatal
	// error, 66 for a race report, -1 if it was killed or never ran.
	ExitCode int
	// BuildFailed is set when the source did not compile; Output holds the errors.
	BuildFailed bool
	// TimedOut is set when the program was still running after Options.Timeout and was killed.
	TimedOut bool
	// Truncated is set when the output exceeded Options.MaxOutput.
	Truncated bool
	// Elapsed is the program's run time, excluding the build.
	Elapsed time.Duration
}

// RaceDetected reports whether the race detector printed a report.
func (r Result) RaceDetected() bool { return strings.Contains(r.Output, "WARNING: DATA RACE") }

// Summary describes the outcome in one line, e.g. "exit status 2 after 3ms".
func (r Result) Summary() string {
	switch {
	case r.BuildFailed:
		return "build failed"
	case r.TimedOut:
		return fmt.Sprintf("killed after %v: still running at the time limit", r.Elapsed.Round(time.Millisecond))
	}
	return fmt.Sprintf("exit status %d after %v", r.ExitCode, r.Elapsed.Round(time.Millisecond))
}

// ErrNoGo is returned when the go command is not on PATH.
var ErrNoGo = errors.New("sandbox: the go command is not on PATH")

// RunGo builds src, which must be a complete `package main` using only the standard
// library, and runs it. A program that crashes, deadlocks, races or times out is not an
// error: it is reported in the Result. The error is non-nil only when RunGo could not do
// its job: bad options, no go command, a cancelled ctx, or a failing file system. If ctx is
// cancelled while the program runs, the process group is killed and ctx.Err() returned.
func RunGo(ctx context.Context, src string, opts Options) (Result, error) {
	if err := validate(src, opts); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return Result{}, ErrNoGo
	}
	dir, err := os.MkdirTemp("", "labkit-sandbox-*")
	if err != nil {
		return Result{}, fmt.Errorf("sandbox: RunGo: %w", err)
	}
	defer os.RemoveAll(dir)
	gomod := fmt.Sprintf("module sandbox\n\ngo %s\n", goLanguageVersion())
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return Result{}, fmt.Errorf("sandbox: RunGo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		return Result{}, fmt.Errorf("sandbox: RunGo: %w", err)
	}
	maxOut := cmp.Or(opts.MaxOutput, DefaultMaxOutput)
	prog, failed, err := build(ctx, goBin, dir, opts.Race, maxOut)
	if err != nil {
		return Result{}, err
	}
	if failed != nil {
		return *failed, nil
	}
	return run(ctx, prog, dir, opts.Env, cmp.Or(opts.Timeout, DefaultTimeout), maxOut)
}

func validate(src string, opts Options) error {
	if strings.TrimSpace(src) == "" {
		return errors.New("sandbox: RunGo: src is empty: pass the text of a package main")
	}
	if opts.Timeout < 0 {
		return fmt.Errorf("sandbox: RunGo: Timeout = %v, want >= 0 (0 means %v)", opts.Timeout, DefaultTimeout)
	}
	if opts.MaxOutput < 0 {
		return fmt.Errorf("sandbox: RunGo: MaxOutput = %d, want >= 0 (0 means %d)", opts.MaxOutput, DefaultMaxOutput)
	}
	for _, kv := range opts.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("sandbox: RunGo: Env entry %q is not KEY=value", kv)
		}
	}
	return nil
}

// build compiles the module in dir to dir/prog. A program that does not compile is not
// an error: it returns the Result that says so (BuildFailed, the compiler's output).
func build(ctx context.Context, goBin, dir string, race bool, maxOut int) (prog string, failed *Result, err error) {
	prog = filepath.Join(dir, "prog")
	args := []string{"build", "-o", prog}
	if race {
		args = append(args, "-race")
	}
	args = append(args, ".")
	buildCtx, cancelBuild := context.WithTimeout(ctx, buildLimit)
	defer cancelBuild()
	cmd := proc.Command(buildCtx, goBin, args...)
	cmd.Dir = dir
	// The notebook's own GOFLAGS (e.g. -race) must not leak into the child's build, and
	// the throw-away module must not be swallowed by a go.work above the temp dir.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN=local")
	out := &proc.Buffer{Max: maxOut}
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return prog, nil, nil
	case ctx.Err() != nil:
		return "", nil, ctx.Err()
	case buildCtx.Err() != nil:
		return "", nil, fmt.Errorf("sandbox: RunGo: build did not finish within %v", buildLimit)
	case !errors.As(err, &exitErr):
		return "", nil, fmt.Errorf("sandbox: RunGo: go build: %w", err)
	}
	return "", &Result{Output: cleanPaths(out.String(), dir), ExitCode: -1, BuildFailed: true, Truncated: out.Truncated()}, nil
}

// run runs prog for at most timeout and returns what it printed and how it ended.
func run(ctx context.Context, prog, dir string, env []string, timeout time.Duration, maxOut int) (Result, error) {
	runCtx, cancelRun := context.WithTimeout(ctx, timeout)
	defer cancelRun()
	cmd := proc.Command(runCtx, prog)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out := &proc.Buffer{Max: maxOut}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err := cmd.Run()
	res := Result{Elapsed: time.Since(start), Truncated: out.Truncated(), Output: cleanPaths(out.String(), dir)}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return res, ctxErr
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		res.ExitCode = 0
	case runCtx.Err() != nil:
		res.TimedOut, res.ExitCode = true, -1
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("sandbox: RunGo: running the program: %w", err)
	}
	return res, nil
}

// goLanguageVersion is the language version of the running toolchain ("1.26" for go1.26.8),
// so snippets may use everything the reader's Go supports.
func goLanguageVersion() string {
	m := regexp.MustCompile(`^go(\d+)\.(\d+)`).FindStringSubmatch(runtime.Version())
	if m == nil {
		return "1.22"
	}
	return m[1] + "." + m[2]
}

// cleanPaths replaces the temporary directory in messages with "sandbox", so output is
// stable and short.
func cleanPaths(s, dir string) string {
	s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
	return strings.ReplaceAll(s, dir, "sandbox")
}
