package fx_test

import (
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
)

func ExampleGenerate() {
	cfg := fx.Config{Seed: 7, Pairs: 3, Orders: 4, Workers: 1}
	orders, err := fx.Generate(cfg)
	if err != nil {
		panic(err)
	}
	for _, o := range orders {
		fmt.Println(o, "→", fx.Decide(o).Outcome)
	}
	// Output:
	// #0 buy 6 EURUSD @ 1.08512 → rejected-spread
	// #1 buy 1 EURUSD @ 1.08507 → filled
	// #2 sell 1 EURUSD @ 1.08502 → filled
	// #3 sell 7 GBPUSD @ 1.26795 → filled
}
