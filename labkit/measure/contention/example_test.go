package contention_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
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

// Where goroutines waited for a lock, from this process's block profile.
func ExampleSites() {
	runtime.SetBlockProfileRate(1) // record every blocking event
	defer runtime.SetBlockProfileRate(0)

	var mu sync.Mutex
	mu.Lock()
	done := make(chan struct{})
	//lint:ignore SA2001 the point is the wait for the lock, not a critical section
	go func() { mu.Lock(); mu.Unlock(); close(done) }() // waits for the lock
	time.Sleep(10 * time.Millisecond)
	mu.Unlock()
	<-done

	sites, err := contention.Sites(pprof.Lookup("block"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sites {
		if strings.Contains(s.Func, "ExampleSites") {
			fmt.Println("waited in", s.Func, "at least 10ms:", s.Delay >= 10*time.Millisecond)
			break
		}
	}
	// Output: waited in github.com/go-concurrency-lab/lab/labkit/measure/contention_test.ExampleSites.func1 at least 10ms: true
}
