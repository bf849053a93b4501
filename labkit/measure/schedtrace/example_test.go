package schedtrace_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/schedtrace"
)

// Two goroutines that compute for 30 ms each, with GOMAXPROCS=1: the trace has one lane,
// and the scheduler takes turns between them on it.
func ExampleRun() {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tr, err := schedtrace.Run(context.Background(), "", func(ctx context.Context) error {
		var wg sync.WaitGroup
		for _, name := range []string{"left", "right"} {
			wg.Go(func() {
				trace.WithRegion(ctx, name, func() { // the region names the goroutine's bars
					for start := time.Now(); time.Since(start) < 30*time.Millisecond; {
					}
				})
			})
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(tr.Path)
	fmt.Println("lanes:", len(tr.Lanes), "at most running at once:", tr.Busiest())
	// In a notebook: chart.Show(tr.Chart("Two spinners, GOMAXPROCS=1")); fmt.Println(tr.Command())
	// Output: lanes: 1 at most running at once: 1
}
