package labkit_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit"
)

func ExampleMachine() {
	m := labkit.Machine()
	fmt.Println(m.NumCPU >= 1, m.GOMAXPROCS >= 1)
	// Output: true true
}

func ExampleMustGet() {
	n := labkit.MustGet(strconv.Atoi("42"))
	fmt.Println(n)
	// Output: 42
}

func TestMustGetPanicsWithTheError(t *testing.T) {
	_, err := strconv.Atoi("x")
	defer func() {
		if e, ok := recover().(error); !ok || e.Error() != err.Error() {
			t.Errorf("MustGet panicked with %v, want the error %v", e, err)
		}
	}()
	labkit.MustGet(strconv.Atoi("x"))
}
