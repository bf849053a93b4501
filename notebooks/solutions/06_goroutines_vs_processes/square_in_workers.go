import (
	"context"
	"os"

	"github.com/go-concurrency-lab/lab/labkit/check"
	"github.com/go-concurrency-lab/lab/labkit/procpool"
)

// squareTask is registered in a package-level var, so every worker copy of the program
// has it too. It runs in a worker and reports which process that was.
var squareTask = procpool.Register("ex.square", func(x int) (check.Squared, error) {
	return check.Squared{X: x, Square: x * x, PID: os.Getpid()}, nil
})

// SquareInWorkers computes x*x for every x in a worker process of pool, in input order.
func SquareInWorkers(ctx context.Context, pool *procpool.Pool, xs []int) ([]check.Squared, error) {
	return squareTask.Map(ctx, pool, xs)
}
