package labkit_test

import (
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit"
)

func ExampleMachine() {
	m := labkit.Machine()
	fmt.Println(m.NumCPU >= 1, m.GOMAXPROCS >= 1)
	// Output: true true
}
