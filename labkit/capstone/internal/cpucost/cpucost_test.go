package cpucost

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPerOp(t *testing.T) {
	if got := PerOp(3*time.Second, 4); got != 750*time.Millisecond {
		t.Errorf("PerOp(3s, 4) = %v, want 750ms", got)
	}
	if got := PerOp(time.Second, int64(0)); got != 0 {
		t.Errorf("PerOp(1s, 0) = %v, want 0", got)
	}
}

func TestCores(t *testing.T) {
	for _, tc := range []struct {
		cpu, wall time.Duration
		want      float64
	}{
		{3 * time.Second, 2 * time.Second, 1.5},
		{time.Second, 0, 0},
		{time.Second, -time.Second, 0},
	} {
		if got := Cores(tc.cpu, tc.wall); got != tc.want {
			t.Errorf("Cores(%v, %v) = %v, want %v", tc.cpu, tc.wall, got, tc.want)
		}
	}
}
