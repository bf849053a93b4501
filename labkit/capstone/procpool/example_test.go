package procpool_test

import (
	"context"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
)

// Registered at package level, so worker copies of the program have it too.
var cube = procpool.Register("example.cube", func(n int) (int, error) { return n * n * n, nil })

func Example() {
	// A program using procpool starts main with procpool.ServeIfWorker(); in this test
	// binary TestMain does it. In GoNB: func init_workers() { procpool.ServeIfWorker() }.
	ctx := context.Background()
	pool, err := procpool.New(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	v, err := cube.Call(ctx, pool, 3) // a simple blocking call
	fmt.Println(v, err)

	vs, err := cube.Map(ctx, pool, []int{1, 2, 3, 4}) // ordered map
	fmt.Println(vs, err)
	// Output:
	// 27 <nil>
	// [1 8 27 64] <nil>
}
