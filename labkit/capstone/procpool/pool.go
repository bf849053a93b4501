// Package procpool runs registered Go functions in a pool of worker OS processes, the Go
// counterpart of Python's multiprocessing.Pool and ProcessPoolExecutor.
//
// Go needs no processes for CPU parallelism (goroutines use every core), so this package
// exists for what processes still give: isolation, crash containment, memory limits, and
// a home for non-thread-safe C libraries. Workers are copies of the running program
// (re-exec self, like multiprocessing's spawn) that call [ServeIfWorker] at start; tasks
// and results travel as length-prefixed JSON frames with task ids over pipes. A worker
// that dies fails only its own task, with an error naming the task and the exit status,
// and is replaced before that error is delivered; [Pool.Close], a cancelled context, or the
// parent's death stop every worker.
package procpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/frame"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// handshakeTimeout bounds how long a new worker may take to say hello.
const handshakeTimeout = 15 * time.Second

// shutdownGrace is how long Close lets an idle worker exit by itself before killing it.
const shutdownGrace = 2 * time.Second

// Pool is a fixed number of worker processes serving a shared FIFO queue of tasks, one
// task per worker at a time. Its methods are safe for concurrent use. Create it with
// New and stop it with Close.
type Pool struct {
	size    int
	nextID  atomic.Uint64
	submitQ chan *task    // Submit → dispatcher
	workQ   chan *task    // dispatcher → slots
	closing chan struct{} // closed by Close
	wg      sync.WaitGroup
	once    sync.Once
	stopCtx func() bool

	mu   sync.Mutex
	pids []int // current worker pid per slot, 0 while none
}

// New starts a pool of workers processes, each a copy of this program, and waits until
// every one has said hello. workers must be >= 1. When ctx is done the pool closes
// itself (as [Pool.Close] does). The program must call [ServeIfWorker] at start, or the copies
// would run the whole program instead of serving; New detects that and fails.
func New(ctx context.Context, workers int) (*Pool, error) {
	if workers < 1 {
		return nil, fmt.Errorf("procpool: New: workers = %d, want >= 1", workers)
	}
	if ctx == nil {
		return nil, errors.New("procpool: New: ctx is nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("procpool: New: %w", err)
	}
	if isWorker() {
		return nil, errors.New("procpool: New: called inside a worker process; call procpool.ServeIfWorker() first thing in main (or TestMain, or a GoNB init_ function) so that workers serve instead of running the program")
	}
	p := &Pool{
		size:    workers,
		submitQ: make(chan *task),
		workQ:   make(chan *task),
		closing: make(chan struct{}),
		pids:    make([]int, workers),
	}
	started := make([]*worker, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range started {
		wg.Go(func() { started[i], errs[i] = startWorker() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, w := range started {
			if w != nil {
				w.stop(0)
			}
		}
		return nil, fmt.Errorf("procpool: New: %w", err)
	}
	p.wg.Add(1 + workers)
	go p.dispatch()
	for i, w := range started {
		p.setPID(i, w.pid)
		go p.runSlot(i, w)
	}
	p.mu.Lock() // the AfterFunc may already be running Close, which reads stopCtx
	p.stopCtx = context.AfterFunc(ctx, func() { p.Close() })
	p.mu.Unlock()
	return p, nil
}

// Size returns the number of worker processes.
func (p *Pool) Size() int { return p.size }

// PIDs returns the process ids of the current workers (0 for a slot whose replacement
// failed to start). After a worker dies, its slot shows the replacement's pid.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.pids...)
}

func (p *Pool) setPID(slot, pid int) {
	p.mu.Lock()
	p.pids[slot] = pid
	p.mu.Unlock()
}

// Close stops the pool: queued tasks and tasks still running fail with ErrClosed (their
// workers are killed), idle workers exit, and Close returns once every worker process
// has been waited for. It is safe to call more than once.
func (p *Pool) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		stop := p.stopCtx
		p.mu.Unlock()
		if stop != nil {
			stop()
		}
		close(p.closing)
	})
	p.wg.Wait()
	return nil
}

// CallRaw is the wire-level call: it sends the function name and a JSON argument to a
// worker and returns the worker's JSON result. Func.Call is the typed form of it.
func (p *Pool) CallRaw(ctx context.Context, name string, arg json.RawMessage) (json.RawMessage, error) {
	if p == nil {
		return nil, errors.New("procpool: CallRaw: pool is nil")
	}
	if name == "" {
		return nil, errors.New("procpool: CallRaw: name is empty")
	}
	if !json.Valid(arg) {
		return nil, fmt.Errorf("procpool: CallRaw(%q): arg is not valid JSON: %s", name, clip(arg))
	}
	t := p.submit(ctx, name, arg)
	<-t.done
	return t.result, t.err
}

func (p *Pool) submit(ctx context.Context, name string, arg json.RawMessage) *task {
	t := &task{id: p.nextID.Add(1), fn: name, arg: arg, ctx: ctx, done: make(chan struct{})}
	if ctx == nil {
		t.finish(nil, t.errorf(errors.New("ctx is nil")))
		return t
	}
	if err := ctx.Err(); err != nil {
		t.finish(nil, t.errorf(err))
		return t
	}
	t.watch()
	select {
	case p.submitQ <- t:
	case <-p.closing:
		t.finish(nil, t.errorf(ErrClosed))
	}
	return t
}

// dispatch holds the unbounded FIFO queue, so Submit never waits for a free worker.
func (p *Pool) dispatch() {
	defer p.wg.Done()
	var queue []*task
	for {
		var out chan *task
		var head *task
		if len(queue) > 0 {
			out, head = p.workQ, queue[0]
		}
		select {
		case t := <-p.submitQ:
			queue = append(queue, t)
		case out <- head:
			queue[0] = nil
			queue = queue[1:]
		case <-p.closing:
			for _, t := range queue {
				t.finish(nil, t.errorf(ErrClosed))
			}
			return
		}
	}
}

// runSlot feeds tasks to one worker process at a time, replacing it when it dies.
func (p *Pool) runSlot(slot int, w *worker) {
	defer p.wg.Done()
	defer func() {
		if w != nil {
			w.stop(shutdownGrace)
		}
		p.setPID(slot, 0)
	}()
	for {
		var t *task
		select {
		case t = <-p.workQ:
		case <-p.closing:
			return
		}
		if t.finished() { // cancelled while queued
			continue
		}
		if w == nil {
			var err error
			if w, err = startWorker(); err != nil {
				t.finish(nil, t.errorf(fmt.Errorf("cannot start a worker: %w", err)))
				continue
			}
			p.setPID(slot, w.pid)
		}
		healthy, failed := p.run(w, t)
		if !healthy {
			w = nil
			p.setPID(slot, 0)
			select {
			case <-p.closing:
			default:
				// Replace the worker before reporting the failure, so that whoever sees
				// the error also sees a full pool.
				if nw, err := startWorker(); err == nil {
					w = nw
					p.setPID(slot, w.pid)
				}
			}
		}
		if failed != nil {
			t.finish(nil, failed)
		}
	}
}

// run sends t to w and waits for the answer. It reports whether w is still usable and,
// if the worker failed, the error to finish t with once the worker has been replaced.
func (p *Pool) run(w *worker, t *task) (healthy bool, failed error) {
	sent := make(chan error, 1)
	go func() { sent <- frame.Write(w.requests, request{ID: t.id, Func: t.fn, Arg: t.arg}) }()
	// After this point w is either answered or stopped; stopping it ends the write.
	select {
	case r, ok := <-w.responses:
		if !ok {
			<-sent
			return false, t.errorf(w.died())
		}
		if err := <-sent; err != nil { // cannot happen after an answer, but never trust a pipe
			w.stop(0)
			return false, t.errorf(err)
		}
		if r.ID != t.id {
			w.stop(0)
			return false, t.errorf(fmt.Errorf("protocol error: worker pid %d answered task %d", w.pid, r.ID))
		}
		if r.Err != "" {
			t.finish(nil, t.errorf(errors.New(r.Err)))
		} else {
			t.finish(r.Result, nil)
		}
		return true, nil
	case <-t.done: // ctx cancelled mid-task: a running process is stopped by killing it
		w.stop(0)
		<-sent
		return false, nil
	case <-p.closing:
		w.stop(0)
		<-sent
		return false, t.errorf(ErrClosed)
	}
}

// task is one call travelling through the pool.
type task struct {
	id   uint64
	fn   string
	arg  json.RawMessage
	ctx  context.Context
	done chan struct{}

	once   sync.Once
	result json.RawMessage
	err    error

	mu      sync.Mutex
	unwatch func() bool
}

func (t *task) errorf(err error) error { return &TaskError{TaskID: t.id, Func: t.fn, Err: err} }

// watch fails the task as soon as its context is done, even while it waits in the queue.
func (t *task) watch() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unwatch = context.AfterFunc(t.ctx, func() { t.finish(nil, t.errorf(context.Cause(t.ctx))) })
}

func (t *task) finish(result json.RawMessage, err error) {
	t.once.Do(func() {
		t.result, t.err = result, err
		close(t.done)
	})
	t.mu.Lock()
	if t.unwatch != nil {
		t.unwatch()
	}
	t.mu.Unlock()
}

func (t *task) finished() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// worker is the parent's side of one worker process.
type worker struct {
	cmd       *exec.Cmd
	pid       int
	requests  *os.File      // we write, the worker reads (its fd 3)
	results   *os.File      // the worker writes (its fd 4), we read
	responses chan response // from the reader goroutine; closed at end of stream
	exited    chan struct{} // closed once the process has been waited for
	readDone  chan struct{} // closed when the reader goroutine returns
	abandon   chan struct{} // closed by stop, so the reader never blocks forever
	stopOnce  sync.Once
}

func startWorker() (*worker, error) {
	cmd, err := proc.Self(context.Background(), WorkerRole)
	if err != nil {
		return nil, err
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{reqR, resW} // fds 3 and 4 in the child
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Start()
	reqR.Close() // the child has its copies; ours would keep the pipes open forever
	resW.Close()
	if err != nil {
		reqW.Close()
		resR.Close()
		return nil, fmt.Errorf("start worker: %w", err)
	}
	w := &worker{
		cmd: cmd, pid: cmd.Process.Pid, requests: reqW, results: resR,
		responses: make(chan response, 1),
		exited:    make(chan struct{}),
		readDone:  make(chan struct{}),
		abandon:   make(chan struct{}),
	}
	go func() {
		cmd.Wait()
		close(w.exited)
	}()
	greeted := make(chan error, 1)
	go w.read(greeted)
	timer := time.NewTimer(handshakeTimeout)
	defer timer.Stop()
	select {
	case err := <-greeted:
		if err == nil {
			return w, nil
		}
		w.stop(0)
		return nil, fmt.Errorf("worker pid %d (%v) sent no hello: %w; does the program call procpool.ServeIfWorker() before anything else?", w.pid, w.cmd.ProcessState, err)
	case <-timer.C:
		w.stop(0)
		return nil, fmt.Errorf("worker pid %d sent no hello within %v; does the program call procpool.ServeIfWorker() before anything else?", w.pid, handshakeTimeout)
	}
}

// read receives the hello, then responses, until the worker's end of the pipe closes.
func (w *worker) read(greeted chan<- error) {
	defer close(w.readDone)
	defer close(w.responses)
	var h hello
	if err := frame.Read(w.results, &h); err != nil {
		greeted <- err
		return
	}
	if h.PID != w.pid {
		greeted <- fmt.Errorf("hello from pid %d, want %d", h.PID, w.pid)
		return
	}
	greeted <- nil
	for {
		var r response
		if err := frame.Read(w.results, &r); err != nil {
			return
		}
		select {
		case w.responses <- r:
		case <-w.abandon:
			return
		}
	}
}

// died is called when the worker's stream ended mid-task; it reaps the process and
// says how it ended.
func (w *worker) died() error {
	select {
	case <-w.exited:
	case <-time.After(time.Second): // stream closed but process alive: finish it off
	}
	w.stop(0)
	return &WorkerExitError{PID: w.pid, State: w.cmd.ProcessState}
}

// stop ends the worker: it closes the request pipe (an idle worker exits on EOF), waits
// up to grace, then kills the worker's process group, and waits for everything.
func (w *worker) stop(grace time.Duration) {
	w.stopOnce.Do(func() {
		close(w.abandon)
		w.requests.Close()
		if grace > 0 {
			t := time.NewTimer(grace)
			select {
			case <-w.exited:
			case <-t.C:
			}
			t.Stop()
		}
		proc.KillGroup(w.cmd) // also takes down anything the worker started
		<-w.exited
		w.results.Close()
		<-w.readDone
	})
}

var _ io.Closer = (*Pool)(nil)
