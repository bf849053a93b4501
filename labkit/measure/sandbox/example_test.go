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

// A race that crashes only sometimes is measured over many runs of one build.
func ExampleRunGoTimes() {
	src := `package main

import "os"

func main() { os.Exit(len(os.Args)) }
`
	results, err := sandbox.RunGoTimes(context.Background(), src, 3, sandbox.Options{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, r := range results {
		fmt.Println(r.ExitCode)
	}
	// Output:
	// 1
	// 1
	// 1
}
