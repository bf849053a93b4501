// Command progress prints the lab's progress view: per notebook, which exercises pass now
// (the exercise cells as saved in your notebooks/*.ipynb, run with their checks) and how your
// recorded predictions compared with the measurements. `make progress` runs it.
//
// Usage:
//
//	progress [-notebooks dir] [NN ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/go-concurrency-lab/lab/labkit/nb"
	"github.com/go-concurrency-lab/lab/labkit/scorecard"
)

func main() {
	dir := flag.String("notebooks", "notebooks", "folder of the lab's NN_topic.ipynb notebooks")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	data, err := nb.DataDir()
	if err == nil {
		fmt.Printf("predictions: %s\n", data)
	}
	fmt.Println("running each exercise's check on your saved notebook cells …")
	books, err := scorecard.Collect(ctx, *dir, scorecard.Options{Notebooks: flag.Args(),
		Progress: func(done, total int) { fmt.Fprintf(os.Stderr, "\r%d/%d checked", done, total) }})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(1)
	}
	scorecard.Write(os.Stdout, books)
}
