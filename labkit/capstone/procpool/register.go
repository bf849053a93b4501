package procpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"sync"
)

// A Func is a function registered under a name so that worker processes, which are
// copies of this program, can find it again: only the name and JSON-encoded arguments
// and results cross the process boundary, never the function value itself.
// Create Funcs with Register in package-level variables.
type Func[In, Out any] struct {
	name string
	err  error // set when registration failed; every call reports it
}

type entry struct {
	call func(arg json.RawMessage) (json.RawMessage, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]entry{}
)

// Register makes fn callable in worker processes under name and returns a handle for
// calling it through a Pool. Call it where every copy of the program runs it before
// ServeIfWorker: in a package-level variable declaration (the usual place) or an init
// function. In and Out must survive a JSON round trip.
//
// An empty name, a nil fn or a name already taken do not panic: the returned Func
// reports the problem from every call instead.
func Register[In, Out any](name string, fn func(In) (Out, error)) *Func[In, Out] {
	f := &Func[In, Out]{name: name}
	switch {
	case name == "":
		f.err = errors.New("procpool: Register: name is empty")
		return f
	case fn == nil:
		f.err = fmt.Errorf("procpool.Register(%q): fn is nil", name)
		return f
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, taken := registry[name]; taken {
		f.err = fmt.Errorf("procpool.Register(%q): name already registered", name)
		return f
	}
	registry[name] = entry{call: func(arg json.RawMessage) (json.RawMessage, error) {
		var in In
		if err := json.Unmarshal(arg, &in); err != nil {
			return nil, fmt.Errorf("cannot decode argument %s as %T: %w", clip(arg), in, err)
		}
		out, err := fn(in)
		if err != nil {
			return nil, err
		}
		res, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("cannot encode result %T: %w", out, err)
		}
		return res, nil
	}}
	return f
}

func lookup(name string) (entry, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	e, ok := registry[name]
	return e, ok
}

// registered returns the names of all registered functions, sorted.
func registered() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// Name returns the name f was registered under.
func (f *Func[In, Out]) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

func (f *Func[In, Out]) check(p *Pool) error {
	if f == nil {
		return errors.New("procpool: Func is nil")
	}
	if f.err != nil {
		return f.err
	}
	if p == nil {
		return fmt.Errorf("procpool: %s: pool is nil", f.name)
	}
	return nil
}

// Submit queues one call of f with in on p and returns at once with a Future for the
// result (Python's executor.submit). Cancelling ctx fails the Future with ctx's error; if
// the task is already running, its worker process is killed and replaced, because a
// process is the unit that can be stopped.
func (f *Func[In, Out]) Submit(ctx context.Context, p *Pool, in In) *Future[Out] {
	if err := f.check(p); err != nil {
		return failedFuture[Out](err)
	}
	arg, err := json.Marshal(in)
	if err != nil {
		return failedFuture[Out](fmt.Errorf("procpool: %s: cannot encode argument %T: %w", f.name, in, err))
	}
	return &Future[Out]{t: p.submit(ctx, f.name, arg)}
}

// Call runs f with in on one of p's workers and waits for the result: the simple
// blocking call (Python's pool.apply).
func (f *Func[In, Out]) Call(ctx context.Context, p *Pool, in In) (Out, error) {
	return f.Submit(ctx, p, in).Result()
}

// Map runs f on every element of ins across p's workers and returns the results in the
// order of ins (Python's executor.map). On the first error it cancels the calls still
// queued or running and returns that error, which names the failing index.
func (f *Func[In, Out]) Map(ctx context.Context, p *Pool, ins []In) ([]Out, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	futures := make([]*Future[Out], len(ins))
	index := make(map[*Future[Out]]int, len(ins))
	for i, in := range ins {
		futures[i] = f.Submit(ctx, p, in)
		index[futures[i]] = i
	}
	outs := make([]Out, len(ins))
	var first error
	for fut := range asCompleted(futures) {
		out, err := fut.Result()
		if err != nil {
			if first == nil {
				first = fmt.Errorf("procpool: %s.Map: element %d: %w", f.name, index[fut], err)
				cancel()
			}
			continue
		}
		outs[index[fut]] = out
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}

// Future is the pending result of one Submit.
type Future[Out any] struct {
	t *task
}

func failedFuture[Out any](err error) *Future[Out] {
	t := &task{done: make(chan struct{})}
	t.finish(nil, err)
	return &Future[Out]{t: t}
}

// ID returns the task id that the pool's messages carry (0 if the task was never sent).
func (f *Future[Out]) ID() uint64 { return f.t.id }

// Done is closed when the result (or error) is ready.
func (f *Future[Out]) Done() <-chan struct{} { return f.t.done }

// Result waits for the task to finish and returns its decoded result. Every task
// finishes: with a result, an error from the function, a worker crash, ctx's
// cancellation, or ErrClosed when the pool closes first.
func (f *Future[Out]) Result() (Out, error) {
	<-f.t.done
	var out Out
	if f.t.err != nil {
		return out, f.t.err
	}
	if err := json.Unmarshal(f.t.result, &out); err != nil {
		return out, &TaskError{TaskID: f.t.id, Func: f.t.fn, Err: fmt.Errorf("cannot decode result %s as %T: %w", clip(f.t.result), out, err)}
	}
	return out, nil
}

// asCompleted yields the futures in the order they finish (Python's as_completed).
// It yields each future exactly once; breaking out of the loop early is safe.
func asCompleted[Out any](futures []*Future[Out]) iter.Seq[*Future[Out]] {
	return func(yield func(*Future[Out]) bool) {
		if len(futures) == 0 {
			return
		}
		finished := make(chan *Future[Out], len(futures)) // never blocks a sender
		stop := make(chan struct{})
		var wg sync.WaitGroup
		defer wg.Wait()
		defer close(stop)
		for _, f := range futures {
			wg.Go(func() {
				select {
				case <-f.t.done:
					finished <- f
				case <-stop:
				}
			})
		}
		for range futures {
			if !yield(<-finished) {
				return
			}
		}
	}
}
