package pybaseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSource(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_ROOT", dir)
	if err := os.MkdirAll(filepath.Join(dir, "baselines", "python"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `import time


def helper(x):
    return x + 1


def helper_two(x):
    return x


class Session:
    def __init__(self):
        self.n = 0

    async def run(self):
        async def inner():
            pass

        await inner()

    def stop(self):
        pass
`
	if err := os.WriteFile(filepath.Join(dir, "baselines", "python", "s.py"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"helper":       "def helper(x):\n    return x + 1\n",
		"Session.run":  "async def run(self):\n    async def inner():\n        pass\n\n    await inner()\n",
		"Session.stop": "def stop(self):\n    pass\n",
	}
	for name, want := range cases {
		got, err := Source("s.py", name)
		if err != nil || got != want {
			t.Errorf("Source(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, bad := range []string{"help", "inner", "Session.helper", "Nope.run"} {
		if _, err := Source("s.py", bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Source(%q) = %v, want an error naming it", bad, err)
		}
	}
	if _, err := Source("../s.py", "helper"); err == nil {
		t.Error("a path outside baselines/python was accepted")
	}
}

// The notebooks show these definitions of the real baselines; they must exist.
func TestSourceOfTheBaselines(t *testing.T) {
	for script, names := range map[string][]string{
		"fx_workload.py": {"Session.run_sequential", "Session.run_asyncio", "Session.run_threads", "price_loop"},
	} {
		for _, name := range names {
			src, err := Source(script, name)
			if err != nil {
				t.Fatal(err)
			}
			last := name[strings.LastIndexByte(name, '.')+1:]
			if !strings.Contains(strings.SplitN(src, "\n", 2)[0], "def "+last+"(") {
				t.Errorf("Source(%s, %s) starts %q", script, name, strings.SplitN(src, "\n", 2)[0])
			}
		}
	}
}
