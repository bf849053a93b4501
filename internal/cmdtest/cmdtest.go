// Package cmdtest runs the lab's commands in tests as a user does: built by the go command
// into a scratch folder, started as processes, their output and exit code read.
package cmdtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Patience bounds every wait of a command test; it turns a hang into a failure and is not
// a timing assertion.
const Patience = 30 * time.Second

// Main builds the packages pkgs (import paths of commands) into a scratch folder, sets
// *bin to that folder, runs the tests and removes the folder; after tests that passed it
// checks that they left no goroutine behind (goleak). It ends the process with the tests'
// exit code, as a TestMain does.
func Main(m *testing.M, bin *string, pkgs ...string) {
	dir, err := os.MkdirTemp("", "cmdtest-")
	if err == nil {
		*bin = dir
		out, buildErr := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...).CombinedOutput()
		if buildErr != nil {
			err = fmt.Errorf("%w\n%s", buildErr, out)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cmdtest: building %s: %v\n", strings.Join(pkgs, " "), err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		goleak.VerifyTestMain(nopRunner{}) // after m.Run: the tests' goroutines must be gone
	}
	os.Exit(code)
}

type nopRunner struct{}

func (nopRunner) Run() int { return 0 }

// Run runs the program path with args, stdin as its standard input, for Patience at most,
// and returns what it printed and its exit code. It fails t if the program cannot be run.
func Run(t testing.TB, stdin, path string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = time.Second // do not hang on a child holding the pipes
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) {
			t.Fatalf("cmdtest: %s: %v", filepath.Base(path), err)
		}
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}
