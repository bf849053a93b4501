package pybaseline_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// Run the asyncio baseline, or say plainly that it was skipped.
func ExampleRun() {
	var res struct {
		N     int     `json:"n"`
		WallS float64 `json:"wall_s"`
	}
	err := pybaseline.Run(context.Background(), "asyncio_sleeps.py", &res, "--n", "100", "--delay", "0.01")
	switch {
	case errors.Is(err, pybaseline.ErrNoPython):
		fmt.Println("python3 not found: Python baseline skipped")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Printf("asyncio: %d sleeps took %.0f ms\n", res.N, res.WallS*1000)
	}
}
