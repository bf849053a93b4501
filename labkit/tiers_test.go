package labkit_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/go-concurrency-lab/lab/"

// tier ranks a labkit package: core 0, measure 1, capstone 2, check 3; -1 outside labkit.
func tier(path string) int {
	p, ok := strings.CutPrefix(path, module+"labkit")
	switch {
	case !ok || (p != "" && !strings.HasPrefix(p, "/")):
		return -1
	case p == "/check" || strings.HasPrefix(p, "/check/"):
		return 3
	case p == "/capstone" || strings.HasPrefix(p, "/capstone/"):
		return 2
	case p == "/measure" || strings.HasPrefix(p, "/measure/"):
		return 1
	}
	return 0
}

var tierName = []string{"core", "measure", "capstone", "check"}

// tierViolations returns one line per labkit package that depends, directly or not, on a
// labkit package of a higher tier. deps maps a package to everything it depends on.
func tierViolations(deps map[string][]string) []string {
	var bad []string
	for pkg, ds := range deps {
		t := tier(pkg)
		if t < 0 {
			continue
		}
		for _, d := range ds {
			if dt := tier(d); dt > t {
				bad = append(bad, tierName[t]+" package "+pkg+" depends on "+tierName[dt]+" package "+d)
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// TestTiers holds labkit to the tiers its package doc describes: core, then measure, then
// capstone, then check; a package may depend on its own tier and those before it only.
// It reads `go list -deps` for every labkit package, so an indirect dependency counts too.
func TestTiers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", "./...").Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		deps[p.ImportPath] = p.Deps
	}
	if _, ok := deps[module+"labkit/check"]; !ok {
		t.Fatalf("go list ./... did not list labkit/check; listed %d packages", len(deps))
	}
	for _, v := range tierViolations(deps) {
		t.Error(v)
	}
}

// TestTierViolations shows the rule catches what it should, so TestTiers passing means something.
func TestTierViolations(t *testing.T) {
	l := func(s string) string { return module + "labkit/" + s }
	for _, c := range []struct {
		pkg, dep string
		bad      bool
	}{
		{l("measure/cpubound"), l("capstone/procpool"), true},
		{l("chart"), l("measure/sampler"), true},
		{l("timing"), l("check"), true},
		{l("capstone/fx"), l("check"), true},
		{l("check"), l("capstone/fx"), false},
		{l("capstone/fx"), l("measure/pybaseline"), false},
		{l("measure/speedup"), l("chart"), false},
		{l("capstone/echo/load"), l("capstone/echo"), false},
		{module + "cmd/echo-server", l("check"), false}, // outside labkit: not a tier
		{l("checker"), l("capstone/fx"), true},          // core: a name that only starts like check
	} {
		got := len(tierViolations(map[string][]string{c.pkg: {c.dep}})) > 0
		if got != c.bad {
			t.Errorf("%s -> %s: violation = %v, want %v", c.pkg, c.dep, got, c.bad)
		}
	}
}
