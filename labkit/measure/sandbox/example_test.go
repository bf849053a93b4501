package sandbox_test

import (
	"context"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/measure/sandbox"
)

// A program that closes a channel and then sends on it crashes; in the sandbox the crash
// is just a result to print.
func ExampleRunGo() {
	src := `package main

func main() {
	ch := make(chan int, 1)
	close(ch)
	ch <- 1
}
`
	res, err := sandbox.RunGo(context.Background(), src, sandbox.Options{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("exit status:", res.ExitCode)
	fmt.Println(res.Output[:len("panic: send on closed channel")])
	// Output:
	// exit status: 2
	// panic: send on closed channel
}
