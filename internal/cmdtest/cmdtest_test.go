package cmdtest_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/internal/cmdtest"
)

var bin string

func TestMain(m *testing.M) {
	cmdtest.Main(m, &bin, "github.com/go-concurrency-lab/lab/cmd/echo-client")
}

func TestRunReadsOutputAndExitCode(t *testing.T) {
	_, stderr, code := cmdtest.Run(t, "", filepath.Join(bin, "echo-client"), "-clients", "0")
	if code != 2 || !strings.Contains(stderr, "-clients = 0") {
		t.Errorf("echo-client -clients 0: exit %d, stderr %q; want exit 2 naming -clients", code, stderr)
	}
}

func TestRunFailsOnAMissingProgram(t *testing.T) {
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() { // fakeT.Fatalf ends this goroutine, as testing.T's ends a test's
		defer close(done)
		cmdtest.Run(ft, "", filepath.Join(bin, "no-such-program"))
	}()
	<-done
	if !strings.Contains(ft.failed, "no-such-program") {
		t.Errorf("Run of a missing program: failure %q, want one naming it", ft.failed)
	}
}

type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
