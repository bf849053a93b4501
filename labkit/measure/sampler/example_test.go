package sampler_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/sampler"
)

// Sample a queue's depth while a producer fills it; Stop returns what was seen.
func ExampleStart() {
	queue := make(chan int, 8)
	depth, err := sampler.Start(context.Background(), time.Millisecond, sampler.Len(queue))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 5 {
		queue <- i
	}
	samples := depth.Stop()
	peak, _ := sampler.Peak(samples)
	fmt.Println("peak depth:", peak.Value)
	// Output: peak depth: 5
}
