package pybaseline_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// Few machines have a free-threaded Python (this lab's CI has none), so these tests stand
// fake interpreters on a PATH of their own: shell scripts that answer FreeThreaded's question
// (python -c …) as a real 3.13t, 3.14t or GIL build would, and hand any script to the real
// python3, so that the "present" path — find one, run the baselines on it — runs too.

const (
	answerFree314  = `{"version": "3.14.0", "free_threaded_build": true, "gil_enabled": false}`
	answerFree313  = `{"version": "3.13.5", "free_threaded_build": true, "gil_enabled": false}`
	answerGILOn    = `{"version": "3.14.0", "free_threaded_build": true, "gil_enabled": true}`
	answerGILBuild = `{"version": "3.12.3", "free_threaded_build": false, "gil_enabled": true}`
)

// fakePython writes an executable called name into dir. Run with -c it prints answer; run
// with a script it logs its arguments to name.log beside it and runs the real python3 (if
// any) on them.
func fakePython(t *testing.T, dir, name, answer string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("SKIP (visible): the fake interpreters are shell scripts")
	}
	real := realPython()
	path := filepath.Join(dir, name)
	script := "#!/bin/sh\n" +
		"if [ \"$1\" = -c ]; then printf '%s\\n' '" + answer + "'; exit 0; fi\n" +
		"printf '%s\\n' \"$*\" >> \"$0.log\"\n" +
		"exec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// realPython is the interpreter python3 runs (sys.executable: python3 itself may be a shim
// that needs PATH), or "" without python3: only the fakes' answers to -c work then.
var realPython = sync.OnceValue(func() string {
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// onlyOnPath makes dir the whole PATH (the fakes use only the shell's builtins) and clears
// LAB_PYTHON, so no interpreter of this machine's takes part.
func onlyOnPath(t *testing.T, dir string) {
	t.Setenv("PATH", dir)
	t.Setenv("LAB_PYTHON", "")
}

func TestFreeThreadedAbsentSaysSoInOneLine(t *testing.T) {
	onlyOnPath(t, t.TempDir())
	_, err := pybaseline.FreeThreaded(context.Background())
	if !errors.Is(err, pybaseline.ErrNoFreeThreaded) {
		t.Fatalf("err = %v, want ErrNoFreeThreaded", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %q, want one line (the notebook prints it as is)", err)
	}
}

func TestFreeThreadedPrefers314t(t *testing.T) {
	dir := t.TempDir()
	fakePython(t, dir, "python3.13t", answerFree313)
	want := fakePython(t, dir, "python3.14t", answerFree314)
	onlyOnPath(t, dir)
	py, err := pybaseline.FreeThreaded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if py.Path != want || py.Version != "3.14.0" {
		t.Errorf("got %+v, want %s, version 3.14.0", py, want)
	}
}

func TestFreeThreadedFallsBackTo313t(t *testing.T) {
	dir := t.TempDir()
	fakePython(t, dir, "python3.14t", answerGILOn) // there, but running with the GIL
	want := fakePython(t, dir, "python3.13t", answerFree313)
	onlyOnPath(t, dir)
	py, err := pybaseline.FreeThreaded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if py.Path != want || py.Version != "3.13.5" {
		t.Errorf("got %+v, want %s, version 3.13.5", py, want)
	}
}

// A name is not proof: the interpreter must say it is a free-threaded build running without
// the GIL, and a rejection says why.
func TestFreeThreadedAsksRatherThanTrustsTheName(t *testing.T) {
	for _, tc := range []struct{ answer, why string }{
		{answerGILBuild, "not a free-threaded build"},
		{answerGILOn, "GIL enabled"},
		{`hello`, "not the expected JSON"},
	} {
		dir := t.TempDir()
		fakePython(t, dir, "python3.14t", tc.answer)
		onlyOnPath(t, dir)
		_, err := pybaseline.FreeThreaded(context.Background())
		if !errors.Is(err, pybaseline.ErrNoFreeThreaded) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("answer %s: err = %v, want ErrNoFreeThreaded saying %q", tc.answer, err, tc.why)
		}
	}
}

func TestFreeThreadedLABPythonIsTheOnlyCandidate(t *testing.T) {
	dir := t.TempDir()
	fakePython(t, dir, "python3.14t", answerFree314)
	custom := fakePython(t, dir, "my-python", answerFree313)
	gilBuild := fakePython(t, dir, "system-python", answerGILBuild)
	onlyOnPath(t, dir)

	t.Setenv("LAB_PYTHON", custom)
	if py, err := pybaseline.FreeThreaded(context.Background()); err != nil || py.Path != custom {
		t.Errorf("LAB_PYTHON=%s: got %+v, %v; want it", custom, py, err)
	}
	t.Setenv("LAB_PYTHON", "my-python") // a command name, looked up on PATH
	if py, err := pybaseline.FreeThreaded(context.Background()); err != nil || py.Path != custom {
		t.Errorf("LAB_PYTHON=my-python: got %+v, %v; want %s", py, err, custom)
	}
	// An explicit choice that does not qualify is reported, not swapped for python3.14t.
	for _, bad := range []string{gilBuild, filepath.Join(dir, "absent")} {
		t.Setenv("LAB_PYTHON", bad)
		_, err := pybaseline.FreeThreaded(context.Background())
		if !errors.Is(err, pybaseline.ErrNoFreeThreaded) || !strings.Contains(err.Error(), "LAB_PYTHON="+bad) {
			t.Errorf("LAB_PYTHON=%s: err = %v, want ErrNoFreeThreaded naming it", bad, err)
		}
	}
}

// An interpreter that never answers cannot hang the caller: cancelling ctx ends the search.
func TestFreeThreadedHonoursContext(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SKIP (visible): the fake interpreter is a shell script")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "python3.14t"), []byte("#!/bin/sh\nexec /bin/sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	onlyOnPath(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := pybaseline.FreeThreaded(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

// The present path end to end: the interpreter found runs notebook 12's baseline.
func TestFreeThreadedRunsTheBaselines(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	fake := fakePython(t, dir, "python3.14t", answerFree314)
	onlyOnPath(t, dir)
	py, err := pybaseline.FreeThreaded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Sequential float64 `json:"sequential_s"`
		Threads    float64 `json:"threads_s"`
	}
	err = py.Run(context.Background(), "choosing.py", &got, "batch", "--modes", "sequential,threads",
		"--tasks", "2", "--cpu-ms", "1", "--wait-ms", "5")
	if err != nil {
		t.Fatal(err)
	}
	if got.Sequential < 0.005 || got.Threads < 0.005 {
		t.Errorf("got %+v, want each mode to take at least one 5 ms wait", got)
	}
	log, err := os.ReadFile(fake + ".log")
	if err != nil || !strings.Contains(string(log), "choosing.py batch") {
		t.Errorf("the fake python3.14t's log = %q (%v), want the run of choosing.py on it", log, err)
	}
}
