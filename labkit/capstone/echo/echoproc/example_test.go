package echoproc_test

import (
	"context"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
)

// Measure a server in its own process: throughput, and what each message cost the server
// and the client in CPU time.
func ExampleMeasure() {
	ctx := context.Background()
	srv, err := echoproc.StartGo(ctx) // or echoproc.StartGo(ctx, "-minimal"), or pyecho.Start(ctx, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	cost, err := echoproc.Measure(ctx, srv, load.Config{Clients: 50, Messages: 400})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.0f msgs/s, server %v of CPU per message\n", cost.Report.Throughput, cost.ServerPerMessage())
}
