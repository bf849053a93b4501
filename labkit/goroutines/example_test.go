package goroutines_test

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/goroutines"
)

// A fire-and-forget goroutine blocked on a channel nobody sends to is a leak; one
// bounded by a context is not.
func ExampleLeaked() {
	base := runtime.NumGoroutine()

	never := make(chan int)
	go func() { <-never }() // fire and forget: nobody will ever send
	fmt.Println("leaked:", goroutines.Leaked(base, 10*time.Millisecond))
	close(never) // clean up the leak so the example leaves nothing behind
	goroutines.Leaked(base, time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-ctx.Done() }()
	cancel()
	fmt.Println("leaked with cancel:", goroutines.Leaked(base, time.Second))
	// Output:
	// leaked: 1
	// leaked with cancel: 0
}
