package load_test

import (
	"context"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
)

func ExampleRun() {
	ctx := context.Background()
	srv, err := echo.Start(ctx, echo.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	r, err := load.Run(ctx, srv.Addr(), load.Config{Clients: 10, Messages: 30, PayloadBytes: 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("echoed %d of %d, corrupted %d, lost %d, ok=%v\n", r.Echoed, r.Planned, r.Corrupted, r.Lost, r.OK())
	// Output: echoed 300 of 300, corrupted 0, lost 0, ok=true
}
