package check

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
)

// Worker copies of this test binary serve here: init functions run after every
// package-level Register and before TestMain.
func init() { procpool.ServeIfWorker() }

// The reference solution (notebooks/solutions/06_goroutines_vs_processes/square_in_workers.gocell).
var squareTask = procpool.Register("check.nb06.square", func(x int) (Squared, error) {
	return Squared{X: x, Square: x * x, PID: os.Getpid()}, nil
})

func squareInWorkersSolution(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
	return squareTask.Map(ctx, pool, xs)
}

// The stub the notebook ships: right answers, computed in the wrong process.
func squareInWorkersStub(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
	out := make([]Squared, len(xs))
	for i, x := range xs {
		out[i] = Squared{X: x, Square: x * x, PID: os.Getpid()}
	}
	return out, nil
}

func TestSquareInWorkersPassesTheSolution(t *testing.T) {
	if err := checkSquareInWorkers(squareInWorkersSolution); err != nil {
		t.Fatal(err)
	}
}

func TestSquareInWorkersFailsTheStub(t *testing.T) {
	err := checkSquareInWorkers(squareInWorkersStub)
	if err == nil || !strings.Contains(err.Error(), "computed in this process") {
		t.Fatalf("err = %v, want the stub rejected for computing in this process", err)
	}
}

func TestSquareInWorkersExplainsLateRegistration(t *testing.T) {
	name := "check.nb06.late." + strconv.FormatInt(time.Now().UnixNano(), 10)
	late := func(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
		task := procpool.Register(name, func(x int) (Squared, error) { return Squared{x, x * x, os.Getpid()}, nil })
		return task.Map(ctx, pool, xs)
	}
	err := checkSquareInWorkers(late)
	if err == nil || !strings.Contains(err.Error(), "package-level var") {
		t.Fatalf("err = %v, want the hint about package-level registration", err)
	}
}

func TestSquareInWorkersCatchesOrderAndValues(t *testing.T) {
	reversed := func(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
		out, err := squareTask.Map(ctx, pool, xs)
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out, err
	}
	if err := checkSquareInWorkers(reversed); err == nil || !strings.Contains(err.Error(), "input order") {
		t.Fatalf("reversed: err = %v", err)
	}
	short := func(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
		return squareTask.Map(ctx, pool, xs[1:])
	}
	if err := checkSquareInWorkers(short); err == nil || !strings.Contains(err.Error(), "results for") {
		t.Fatalf("short: err = %v", err)
	}
	fakePID := func(ctx context.Context, pool *procpool.Pool, xs []int) ([]Squared, error) {
		out, err := squareTask.Map(ctx, pool, xs)
		for i := range out {
			out[i].PID = 1
		}
		return out, err
	}
	if err := checkSquareInWorkers(fakePID); err == nil || !strings.Contains(err.Error(), "not one of the pool's workers") {
		t.Fatalf("fake pid: err = %v", err)
	}
	if err := checkSquareInWorkers(nil); err == nil {
		t.Fatal("nil function accepted")
	}
}
