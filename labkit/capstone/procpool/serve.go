package procpool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/frame"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// WorkerRole is the proc role of a worker process.
const WorkerRole = "labkit-procpool-worker"

// A worker reads requests on fd 3 and writes responses on fd 4, leaving stdout and stderr
// to the functions it runs: a stray fmt.Println in a task cannot corrupt the protocol.
const (
	requestFD  = 3
	responseFD = 4
)

// The messages, each one frame (see package frame). The worker sends hello once, then
// one response per request, in order; the parent keeps at most one request in flight per
// worker.
type (
	hello struct {
		PID   int      `json:"pid"`
		Funcs []string `json:"funcs"`
	}
	request struct {
		ID   uint64          `json:"id"`
		Func string          `json:"func"`
		Arg  json.RawMessage `json:"arg"`
	}
	response struct {
		ID     uint64          `json:"id"`
		Result json.RawMessage `json:"result,omitempty"`
		Err    string          `json:"error,omitempty"`
	}
)

// isWorker reports whether this process was started by a Pool as a worker.
func isWorker() bool { return proc.Role() == WorkerRole }

// ServeIfWorker turns this process into a pool worker if a Pool started it, and
// otherwise returns at once. A worker serves tasks until the pool closes its pipe, then
// exits the process: ServeIfWorker never returns in a worker.
//
// Call it before the program does anything else, after every Register has run:
//   - in a program: first thing in main (package-level Register variables are set by then);
//   - in a test binary: first thing in TestMain, before m.Run;
//   - in a GoNB notebook: in a function named init_something (GoNB turns it into an
//     init function, which runs after every package-level variable of the cell program
//     and before the cell's code), e.g. func init_workers() { procpool.ServeIfWorker() }.
func ServeIfWorker() {
	if !isWorker() {
		return
	}
	watchParent()
	requests := os.NewFile(requestFD, "procpool-requests")
	responses := os.NewFile(responseFD, "procpool-responses")
	if err := serve(requests, responses); err != nil {
		fmt.Fprintf(os.Stderr, "procpool worker %d: %v\n", os.Getpid(), err)
		os.Exit(1)
	}
	os.Exit(0)
}

// watchParent exits the worker if its parent goes away. Linux already does this with
// Pdeathsig; the check keeps other systems (and exotic thread exits) from leaving
// orphans spinning on CPU work nobody will read.
func watchParent() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(200 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(1)
			}
		}
	}()
}

func serve(in io.Reader, out io.Writer) error {
	if in == nil || out == nil {
		return errors.New("procpool: worker: pipes missing (was this process started by a Pool?)")
	}
	if err := frame.Write(out, hello{PID: os.Getpid(), Funcs: registered()}); err != nil {
		return err
	}
	for {
		var req request
		if err := frame.Read(in, &req); err != nil {
			if err == io.EOF {
				return nil // the pool closed our pipe: a clean shutdown
			}
			return err
		}
		if err := frame.Write(out, handle(req)); err != nil {
			return err
		}
	}
}

func handle(req request) (resp response) {
	resp.ID = req.ID
	e, ok := lookup(req.Func)
	if !ok {
		resp.Err = fmt.Sprintf("unknown function %q: this worker has %v; register functions in package-level variables so every copy of the program has them", req.Func, registered())
		return resp
	}
	defer func() {
		if r := recover(); r != nil {
			resp.Result = nil
			resp.Err = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	result, err := e.call(req.Arg)
	if err != nil {
		resp.Err = err.Error()
		return resp
	}
	resp.Result = result
	return resp
}
