package pybaseline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// TestLockOrder checks what notebook 15 shows of lock_order.py: the opposite-order pair
// stays stuck (and the dump shows both threads in transfer), the ordered pair finishes,
// and with acquire(timeout=...) nothing stays stuck. The barrier makes the deadlock
// certain, so nothing here depends on timing.
func TestLockOrder(t *testing.T) {
	needPython(t)
	type pair struct {
		Stuck    []string        `json:"stuck"`
		Balances []int           `json:"balances"`
		Results  map[string]bool `json:"results"`
		Dump     string          `json:"dump"`
	}
	var got struct {
		Opposite, Ordered pair
		GiveUp            pair `json:"give_up"`
	}
	if err := pybaseline.Run(context.Background(), "lock_order.py", &got, "--timeout", "0.5"); err != nil {
		t.Fatal(err)
	}
	if len(got.Opposite.Stuck) != 2 || strings.Count(got.Opposite.Dump, " in transfer\n") != 2 {
		t.Errorf("opposite orders: stuck %v, dump:\n%s\nwant both threads stuck in transfer", got.Opposite.Stuck, got.Opposite.Dump)
	}
	if len(got.Ordered.Stuck) != 0 || got.Ordered.Balances[0]+got.Ordered.Balances[1] != 200 || got.Ordered.Balances[0] != 110 {
		t.Errorf("ordered: stuck %v, balances %v, want none stuck and [110 90]", got.Ordered.Stuck, got.Ordered.Balances)
	}
	if len(got.GiveUp.Stuck) != 0 || len(got.GiveUp.Results) != 2 || got.GiveUp.Balances[0]+got.GiveUp.Balances[1] != 200 {
		t.Errorf("give up: stuck %v, results %v, balances %v, want none stuck, two results, 200 in total", got.GiveUp.Stuck, got.GiveUp.Results, got.GiveUp.Balances)
	}
	gaveUp := 0
	for _, ok := range got.GiveUp.Results {
		if !ok {
			gaveUp++
		}
	}
	if gaveUp == 0 {
		t.Errorf("give up: results %v, want at least one transfer to give up", got.GiveUp.Results)
	}
}

func TestLockOrderRejectsBadTimeout(t *testing.T) {
	needPython(t)
	var got map[string]any
	err := pybaseline.Run(context.Background(), "lock_order.py", &got, "--timeout", "0")
	if err == nil || !strings.Contains(err.Error(), "--timeout must be > 0") {
		t.Fatalf("--timeout 0: %v, want the script's usage error", err)
	}
}
