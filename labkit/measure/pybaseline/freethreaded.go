package pybaseline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// ErrNoFreeThreaded is returned (wrapped) by [FreeThreaded] when the machine has no
// free-threaded Python.
var ErrNoFreeThreaded = errors.New("pybaseline: no free-threaded Python here (python3.14t or python3.13t on PATH, or LAB_PYTHON naming one)")

// freeThreadedNames are the commands FreeThreaded looks for on PATH, newest first.
var freeThreadedNames = []string{"python3.14t", "python3.13t"}

// probeTimeout bounds one question to a candidate interpreter, so a broken one cannot hang
// a notebook cell.
const probeTimeout = 10 * time.Second

// probe asks an interpreter about itself: its version, whether it is a free-threaded build
// (sysconfig's Py_GIL_DISABLED), and whether the GIL is on right now (sys._is_gil_enabled,
// 3.13+; a free-threaded build turns it back on for PYTHON_GIL=1 or an extension module that
// needs it).
const probe = `import json, platform, sys, sysconfig
print(json.dumps({"version": platform.python_version(),
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)()}))`

// FreeThreaded finds a free-threaded CPython — a build with the GIL compiled out (3.13t,
// experimental; 3.14t, officially supported since PEP 779) that is running without it —
// and returns it with its version. If LAB_PYTHON is set, it is the only candidate (a path or
// a command on PATH), and the error says why it does not qualify; otherwise FreeThreaded
// tries python3.14t, then python3.13t, on PATH. Each candidate is asked, not trusted by
// name. With none, the error wraps [ErrNoFreeThreaded]; cancelling ctx stops the search.
func FreeThreaded(ctx context.Context) (Interpreter, error) {
	if want := os.Getenv("LAB_PYTHON"); want != "" {
		py, err := freeThreaded(ctx, want)
		if err != nil {
			return Interpreter{}, fmt.Errorf("%w: LAB_PYTHON=%s: %v", ErrNoFreeThreaded, want, err)
		}
		return py, nil
	}
	var reasons []string
	for _, name := range freeThreadedNames {
		if _, err := exec.LookPath(name); err != nil {
			continue
		}
		py, err := freeThreaded(ctx, name)
		if err == nil {
			return py, nil
		}
		if ctx.Err() != nil {
			return Interpreter{}, ctx.Err()
		}
		reasons = append(reasons, name+": "+err.Error())
	}
	if len(reasons) > 0 {
		return Interpreter{}, fmt.Errorf("%w: %s", ErrNoFreeThreaded, strings.Join(reasons, "; "))
	}
	return Interpreter{}, ErrNoFreeThreaded
}

// freeThreaded asks the interpreter python whether it is free-threaded and running so.
func freeThreaded(ctx context.Context, python string) (Interpreter, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return Interpreter{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := proc.Command(ctx, path, "-c", probe)
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Interpreter{}, fmt.Errorf("did not answer: %w", ctx.Err())
		}
		return Interpreter{}, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var got struct {
		Version    string `json:"version"`
		FreeBuild  bool   `json:"free_threaded_build"`
		GILEnabled bool   `json:"gil_enabled"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || got.Version == "" {
		return Interpreter{}, fmt.Errorf("answered %.100q, not the expected JSON", stdout.String())
	}
	switch {
	case !got.FreeBuild:
		return Interpreter{}, fmt.Errorf("it is Python %s, not a free-threaded build", got.Version)
	case got.GILEnabled:
		return Interpreter{}, fmt.Errorf("it is Python %s free-threaded, but runs with the GIL enabled (PYTHON_GIL=1?)", got.Version)
	}
	return Interpreter{Path: path, Version: got.Version}, nil
}
