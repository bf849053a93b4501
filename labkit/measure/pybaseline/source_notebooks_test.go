package pybaseline

import (
	"strings"
	"testing"
)

// Notebooks 02, 07, 08, 12, 13 and 15 show these definitions of the baselines they run (ShowSource); a
// renamed or deleted function must fail here rather than in a notebook.
func TestSourceShownByNotebooks(t *testing.T) {
	for script, names := range map[string][]string{
		"gil_counter.py":         {"plain", "with_yield", "run"},
		"asyncio_sleeps.py":      {"sleep_all"},
		"gather_failure.py":      {"call", "one_way"},
		"event_loop_blocking.py": {"ticker", "cruncher"},
		"choosing.py":            {"work", "awork", "gather_all", "fails_on", "dies_on", "count_survivors"},
		"memory_model.py":        {"spin", "flip"},
		"lock_order.py":          {"transfer", "transfer_ordered", "transfer_or_give_up"},
	} {
		for _, name := range names {
			src, err := Source(script, name)
			if err != nil {
				t.Fatal(err)
			}
			if first := strings.SplitN(src, "\n", 2)[0]; !strings.Contains(first, "def "+name+"(") {
				t.Errorf("Source(%s, %s) starts %q", script, name, first)
			}
		}
	}
}
