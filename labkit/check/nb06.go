package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
)

// Squared is one result of notebook 06's exercise: X, its square, and the pid of the
// process that computed it.
type Squared struct {
	X      int `json:"x"`
	Square int `json:"square"`
	PID    int `json:"pid"`
}

// SquareInWorkersFunc is the signature of notebook 06's exercise.
type SquareInWorkersFunc func(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error)

// SquareInWorkers checks notebook 06's exercise: fn must compute every square in a worker
// process of the pool it is given (not in the calling process) and return the results in
// the order of xs. The program running the check must call procpool.ServeIfWorker at
// start (the notebook's init_workers does).
func SquareInWorkers(t *testing.T, fn SquareInWorkersFunc) {
	t.Helper()
	if err := checkSquareInWorkers(fn); err != nil {
		t.Fatal(err)
	}
}

func checkSquareInWorkers(fn SquareInWorkersFunc) error {
	if fn == nil {
		return errors.New("SquareInWorkers is nil")
	}
	// Real time, not fake: the work runs in other processes. 20×grace covers starting
	// them on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 20*grace)
	defer cancel()
	pool, err := procpool.New(ctx, 2)
	if err != nil {
		return fmt.Errorf("could not start the pool for the check: %w", err)
	}
	defer pool.Close()
	workers := pool.PIDs()

	xs := []int{3, 1, 4, 1, 5, 9, 2, 6}
	got, err := fn(ctx, pool, xs)
	if err != nil {
		if strings.Contains(err.Error(), "unknown function") {
			return fmt.Errorf("SquareInWorkers failed: %v\nHint: the worker processes are fresh copies of the program; they only know functions registered with procpool.Register in a package-level var (outside any function)", err)
		}
		return fmt.Errorf("SquareInWorkers returned an error: %w", err)
	}
	if len(got) != len(xs) {
		return fmt.Errorf("SquareInWorkers returned %d results for %d inputs", len(got), len(xs))
	}
	for i, x := range xs {
		if got[i].X != x {
			return fmt.Errorf("result %d is for x=%d, want x=%d: keep results in input order (Map does)", i, got[i].X, x)
		}
		if got[i].Square != x*x {
			return fmt.Errorf("result %d: square of %d = %d, want %d", i, x, got[i].Square, x*x)
		}
	}
	me := os.Getpid()
	for i, r := range got {
		switch {
		case r.PID == me:
			return fmt.Errorf("result %d (x=%d) was computed in this process (pid %d), not in a worker: send the work to the pool (Map or Call) and have the task report os.Getpid()", i, r.X, me)
		case !slices.Contains(workers, r.PID) && !slices.Contains(pool.PIDs(), r.PID):
			return fmt.Errorf("result %d (x=%d) claims pid %d, which is not one of the pool's workers %v: report os.Getpid() from inside the task", i, r.X, r.PID, workers)
		}
	}
	return nil
}
