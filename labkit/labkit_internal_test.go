package labkit

import (
	"runtime"
	"strings"
	"testing"
)

func TestDescribeLoad(t *testing.T) {
	for _, c := range []struct {
		load string
		cpus int
		want string
	}{
		{"0.50", 2, "0.50 (NumCPU 2)"},
		{"2.00", 2, "2.00 (NumCPU 2)"},
		{"3.52", 2, "3.52 (NumCPU 2: busy, other programs compete for the cores)"},
		{"x", 2, `unknown (/proc/loadavg says "x")`},
	} {
		if got := describeLoad(c.load, c.cpus); got != c.want {
			t.Errorf("describeLoad(%q, %d) = %q, want %q", c.load, c.cpus, got, c.want)
		}
	}
}

func TestLoadAverage(t *testing.T) {
	got := LoadAverage()
	if runtime.GOOS == "linux" && strings.HasPrefix(got, "unknown") {
		t.Fatalf("on Linux LoadAverage() = %q, want a number", got)
	}
}
