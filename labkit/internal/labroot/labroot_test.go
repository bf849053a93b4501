package labroot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDirFindsTheCheckout(t *testing.T) {
	t.Setenv("LABKIT_ROOT", "")
	root, err := Dir("labkit/internal/labroot/labroot.go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("Dir = %s, which has no go.mod: %v", root, err)
	}
}

func TestDirFollowsLABKIT_ROOT(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "baselines", "python"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LABKIT_ROOT", root)
	if got, err := Dir("baselines/python"); err != nil || got != filepath.Clean(root) {
		t.Errorf("Dir(baselines/python) = %q, %v; want %q", got, err, root)
	}
	if _, err := Dir("cmd/echo-server/main.go"); err == nil || !strings.Contains(err.Error(), "cmd/echo-server/main.go") ||
		!strings.Contains(err.Error(), "LABKIT_ROOT") {
		t.Errorf("Dir of a path the checkout lacks: err = %v, want one naming the path and LABKIT_ROOT", err)
	}
}
