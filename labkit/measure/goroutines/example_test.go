package goroutines_test

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/goroutines"
)

// fireAndForget starts a goroutine nobody waits for, blocked on a channel nobody sends to.
func fireAndForget(never chan int) {
	go func() { <-never }()
}

// withOwner starts a goroutine that ends when ctx is cancelled.
func withOwner(ctx context.Context) {
	go func() { <-ctx.Done() }()
}

// A fire-and-forget goroutine blocked on a channel nobody sends to is a leak; one bounded
// by a context is not once the context is cancelled.
func ExampleLeakedBy() {
	never := make(chan int)
	fireAndForget(never)
	n, _ := goroutines.LeakedBy(fireAndForget, 10*time.Millisecond)
	fmt.Println("fire and forget leaked:", n)
	close(never) // clean up, so the example leaves nothing behind

	ctx, cancel := context.WithCancel(context.Background())
	withOwner(ctx)
	cancel()
	n, _ = goroutines.LeakedBy(withOwner, time.Second)
	fmt.Println("with a cancelled owner leaked:", n)
	// Output:
	// fire and forget leaked: 1
	// with a cancelled owner leaked: 0
}

// Leaked compares against a goroutine count taken before the code under study ran.
func ExampleLeaked() {
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	withOwner(ctx)
	cancel()
	fmt.Println("leaked:", goroutines.Leaked(base, time.Second))
}

// Measure what a parked goroutine costs.
func ExampleMeasure() {
	cost, err := goroutines.Measure(10_000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("about %.0f bytes per goroutine\n", cost.PerGoroutine())
}
