package httpcost_test

import (
	"context"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/httpcost"
)

// A copy of this program serves hello (TestMain calls ServeIfChild first thing); the
// load client runs here.
func ExampleMeasure() {
	ctx := context.Background()
	srv, err := httpcost.StartSelf(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := httpcost.Measure(ctx, srv, httpcost.Config{Clients: 8, Requests: 50, Path: "/hello"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Requests, "requests answered by", c.Clients, "clients")
	// Output: 400 requests answered by 8 clients
}
