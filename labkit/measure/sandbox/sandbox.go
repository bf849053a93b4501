// Package sandbox compiles and runs a small Go program in a separate process, so a notebook
// can show a crash, a deadlock or a data-race report without taking its own kernel down.
//
// Some lessons are about programs that die (`fatal error: concurrent map writes`, `send on
// closed channel`) or never finish (a goroutine waiting on a lock it already holds). [RunGo]
// writes the source into a throw-away module in a temporary directory, builds it (with the
// race detector if asked), runs it with a time limit, and returns its exit status and
// output. On timeout or cancellation it kills the program's whole process group, and it
// always removes its temporary files. [RunGoTimes] builds once and runs many times, for a
// program whose outcome varies from run to run.
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
	"strconv"
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
	// BuildFlags are extra go build flags, e.g. "-gcflags=-S" to see what the compiler
	// made of the program (in Result.BuildOutput).
	BuildFlags []string
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
	// BuildOutput is what go build printed, e.g. the assembly listing asked for with
	// Options.BuildFlags "-gcflags=-S".
	BuildOutput string
	// TimedOut is set when the program was still running after Options.Timeout and was killed.
	TimedOut bool
	// Truncated is set when the output exceeded Options.MaxOutput.
	Truncated bool
	// Elapsed is the program's run time, excluding the build.
	Elapsed time.Duration
}

// RaceDetected reports whether the race detector printed a report.
func (r Result) RaceDetected() bool { return strings.Contains(r.Output, "WARNING: DATA RACE") }

// RaceReport is one report of the race detector.
type RaceReport struct {
	// Text is the report, from "WARNING: DATA RACE" to before its closing line of "=".
	Text string
	// Lines are the lines of main.go where the two racing accesses were made: the access
	// that was reported, then the previous one it raced with (0 if not in main.go).
	Lines [2]int
}

// RaceReports returns the race detector's reports in Output, in the order printed.
func (r Result) RaceReports() []RaceReport {
	var reports []RaceReport
	rest := r.Output
	for {
		_, after, found := strings.Cut(rest, "WARNING: DATA RACE")
		if !found {
			return reports
		}
		text, tail, _ := strings.Cut(after, "\n==================")
		rep := RaceReport{Text: "WARNING: DATA RACE" + text}
		// Each access is a header ("Write at 0x... by goroutine 8:") and then its stack,
		// innermost frame first: "  main.f()" and "      .../main.go:12 +0x68".
		access := -1
		for line := range strings.Lines(text) {
			switch {
			case strings.Contains(line, " at 0x") && access < 1:
				access++
			case access >= 0 && rep.Lines[access] == 0 && strings.Contains(line, "main.go:"):
				_, place, _ := strings.Cut(line, "main.go:")
				place, _, _ = strings.Cut(place, " ")
				rep.Lines[access], _ = strconv.Atoi(strings.TrimSpace(place))
			case strings.HasPrefix(line, "Goroutine "):
				access = 2 // the rest says where goroutines were created
			}
			if access == 2 {
				break
			}
		}
		reports = append(reports, rep)
		rest = tail
	}
}

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
	results, err := RunGoTimes(ctx, src, 1, opts)
	if len(results) == 0 {
		return Result{}, err
	}
	return results[0], err
}

// RunGoTimes is [RunGo] for a program whose outcome varies from run to run (a race that
// crashes now and then): it builds src once and runs it n times, one run after another,
// each under its own Options.Timeout. It returns one Result per run, or a single Result
// with BuildFailed set if src did not compile. If ctx is cancelled it returns the runs
// finished so far and ctx.Err().
func RunGoTimes(ctx context.Context, src string, n int, opts Options) ([]Result, error) {
	if err := validate(src, n, opts); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, ErrNoGo
	}
	dir, err := os.MkdirTemp("", "labkit-sandbox-*")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	built, err := build(ctx, goBin, dir, src, opts)
	if err != nil || built.BuildFailed {
		return []Result{built}, err
	}
	results := make([]Result, 0, n)
	for range n {
		res, err := runOnce(ctx, dir, opts)
		if err != nil {
			return results, err
		}
		res.BuildOutput = built.BuildOutput
		results = append(results, res)
	}
	return results, nil
}

func validate(src string, n int, opts Options) error {
	if strings.TrimSpace(src) == "" {
		return errors.New("sandbox: src is empty: pass the text of a package main")
	}
	if n < 1 {
		return fmt.Errorf("sandbox: %d runs asked for, want at least 1", n)
	}
	if opts.Timeout < 0 {
		return fmt.Errorf("sandbox: Timeout = %v, want >= 0 (0 means %v)", opts.Timeout, DefaultTimeout)
	}
	if opts.MaxOutput < 0 {
		return fmt.Errorf("sandbox: MaxOutput = %d, want >= 0 (0 means %d)", opts.MaxOutput, DefaultMaxOutput)
	}
	for _, kv := range opts.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("sandbox: Env entry %q is not KEY=value", kv)
		}
	}
	for _, f := range opts.BuildFlags {
		if !strings.HasPrefix(f, "-") || f == "-o" || strings.HasPrefix(f, "-o=") {
			return fmt.Errorf("sandbox: BuildFlags entry %q is not a go build flag (or is -o, which the sandbox sets)", f)
		}
	}
	return nil
}

// build writes src into a throw-away module in dir and compiles it to dir/prog. A source
// that does not compile is a Result with BuildFailed set, not an error.
func build(ctx context.Context, goBin, dir, src string, opts Options) (Result, error) {
	gomod := fmt.Sprintf("module sandbox\n\ngo %s\n", goLanguageVersion())
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	args := []string{"build", "-o", filepath.Join(dir, "prog")}
	if opts.Race {
		args = append(args, "-race")
	}
	args = append(append(args, opts.BuildFlags...), ".")
	buildCtx, cancelBuild := context.WithTimeout(ctx, buildLimit)
	defer cancelBuild()
	cmd := proc.Command(buildCtx, goBin, args...)
	cmd.Dir = dir
	// The notebook's own GOFLAGS (e.g. -race) must not leak into the child's build, and
	// the throw-away module must not be swallowed by a go.work above the temp dir.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN=local")
	maxOut := cmp.Or(opts.MaxOutput, DefaultMaxOutput)
	out := &proc.Buffer{Max: maxOut}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	if err == nil {
		return Result{BuildOutput: cleanPaths(out.String(), dir)}, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return Result{}, ctxErr
	}
	if buildCtx.Err() != nil {
		return Result{}, fmt.Errorf("sandbox: build did not finish within %v", buildLimit)
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return Result{}, fmt.Errorf("sandbox: go build: %w", err)
	}
	output := cleanPaths(out.String(), dir)
	return Result{Output: output, BuildOutput: output, ExitCode: -1, BuildFailed: true, Truncated: out.Truncated()}, nil
}

// runOnce runs dir/prog once under opts.Timeout.
func runOnce(ctx context.Context, dir string, opts Options) (Result, error) {
	runCtx, cancelRun := context.WithTimeout(ctx, cmp.Or(opts.Timeout, DefaultTimeout))
	defer cancelRun()
	run := proc.Command(runCtx, filepath.Join(dir, "prog"))
	run.Dir = dir
	run.Env = append(os.Environ(), opts.Env...)
	out := &proc.Buffer{Max: cmp.Or(opts.MaxOutput, DefaultMaxOutput)}
	run.Stdout, run.Stderr = out, out
	start := time.Now()
	err := run.Run()
	res := Result{Elapsed: time.Since(start), Truncated: out.Truncated()}
	res.Output = cleanPaths(out.String(), dir)
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
		return res, fmt.Errorf("sandbox: running the program: %w", err)
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
