package speedup_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/measure/speedup"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

// Sixteen 10 ms waits: a pool of k finishes about k times sooner, up to k = 16.
func ExampleSweepBest() {
	batch := speedup.Batch{Tasks: 16, Task: func(ctx context.Context, i int) error {
		return workload.Wait(ctx, 10*time.Millisecond)
	}}
	res, err := speedup.SweepBest(context.Background(), batch, []int{1, 2, 4, 8, 16}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	chart.Show(res.Chart("IO-bound speedup"))
}
