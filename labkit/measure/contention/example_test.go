package contention_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/measure/contention"
)

// The cost chart of notebook 03: every primitive at 1, 2, 4 and 8 goroutines.
func ExampleSweep() {
	res, err := contention.Sweep(context.Background(), contention.Primitives(),
		contention.Options{BenchTime: 20 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	chart.Show(res.Chart("ns per increment as goroutines grow"))
}

// Time runs a fixed number of operations across goroutines and returns the wall time.
func ExampleTime() {
	d, err := contention.Time(4, 1000, func() {})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d > 0)
	// Output: true
}
