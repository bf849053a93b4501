package frame_test

import (
	"bytes"
	"fmt"

	"github.com/go-concurrency-lab/lab/labkit/capstone/frame"
)

func Example() {
	type task struct {
		ID   int    `json:"id"`
		Func string `json:"func"`
		Arg  int    `json:"arg"`
	}
	var pipe bytes.Buffer // stands in for an os.Pipe between two processes
	frame.Write(&pipe, task{ID: 1, Func: "square", Arg: 7})
	fmt.Printf("% x = %d bytes of JSON\n", pipe.Bytes()[:4], pipe.Len()-4)
	var got task
	frame.Read(&pipe, &got)
	fmt.Printf("%+v\n", got)
	// Output:
	// 00 00 00 20 = 32 bytes of JSON
	// {ID:1 Func:square Arg:7}
}
