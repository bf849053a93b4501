package pybaseline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// TestMemoryModelRacesEndCleanly checks what notebook 13 contrasts with Go: the spin on a
// plain flag ends, and the racing dict reads and method calls raise nothing.
func TestMemoryModelRacesEndCleanly(t *testing.T) {
	needPython(t)
	var got struct {
		Python     string   `json:"python"`
		GIL        *bool    `json:"gil_enabled"`
		SpinTurns  *int     `json:"spin_turns"`
		SpinS      *float64 `json:"spin_s"`
		DictReads  int      `json:"dict_reads"`
		DictErrors int      `json:"dict_errors"`
		Calls      int      `json:"calls"`
		CallErrors int      `json:"call_errors"`
	}
	if err := pybaseline.Run(context.Background(), "memory_model.py", &got, "--seconds", "0.05"); err != nil {
		t.Fatal(err)
	}
	if got.Python == "" || got.GIL == nil || got.SpinTurns == nil || got.SpinS == nil {
		t.Fatalf("got %+v, want python, gil_enabled, spin_turns and spin_s reported", got)
	}
	if got.DictReads < 1 || got.Calls < 1 || got.DictErrors != 0 || got.CallErrors != 0 {
		t.Errorf("got %+v, want reads and calls made, and no errors", got)
	}
}

func TestMemoryModelRejectsBadArguments(t *testing.T) {
	needPython(t)
	for _, args := range [][]string{{"--seconds", "0"}, {"--seconds", "11"}, {"--delay", "-1"}} {
		var out map[string]any
		err := pybaseline.Run(context.Background(), "memory_model.py", &out, args...)
		if err == nil || !strings.Contains(err.Error(), "must be") {
			t.Errorf("%v: err = %v, want the argument rejected", args, err)
		}
	}
}
