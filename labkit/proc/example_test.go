package proc_test

import (
	"context"
	"fmt"
	"os"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// A program that re-executes itself checks its role before doing anything else.
func ExampleSelf() {
	if proc.Role() == "greeter" { // the copy
		fmt.Println("hello from pid", os.Getpid())
		os.Exit(0)
	}
	cmd, err := proc.Self(context.Background(), "greeter")
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := cmd.Output() // the copy's stdout
	fmt.Println(len(out) > 0, err)
}
