// Package goroutines measures goroutines as a resource: how many are left running after
// the code that started them returned (leaks), and how much memory each one costs.
//
// A goroutine that nobody waits for is the Go twin of an asyncio task nobody awaits: it
// keeps its stack and everything it references alive until it ends, which may be never.
// [Leaked] counts them without the flakiness of a single [runtime.NumGoroutine] reading,
// since goroutines that are already finishing need a moment to exit.
package goroutines

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"time"
)

// Leaked waits up to grace for the number of goroutines to fall back to baseline (a
// [runtime.NumGoroutine] reading taken before the code under study ran) and returns how
// many remain above it; 0 means nothing leaked. It returns as soon as the count is back,
// so a clean run costs almost nothing. A negative grace is treated as zero.
//
// Goroutines started concurrently by unrelated code count too: take the baseline and
// call Leaked from the same quiet point of the program.
func Leaked(baseline int, grace time.Duration) int {
	deadline := time.Now().Add(grace)
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 10*time.Millisecond) {
		extra := runtime.NumGoroutine() - baseline
		if extra <= 0 {
			return 0
		}
		if !time.Now().Before(deadline) {
			return extra
		}
		time.Sleep(min(pause, time.Until(deadline)))
	}
}

// Cost is the memory taken by a crowd of parked goroutines.
type Cost struct {
	Goroutines int
	StackBytes int // goroutine stacks
	HeapBytes  int // heap objects: the runtime's goroutine descriptors, closures
}

// PerGoroutine is the total bytes divided by the number of goroutines.
func (c Cost) PerGoroutine() float64 {
	if c.Goroutines == 0 {
		return 0
	}
	return float64(c.StackBytes+c.HeapBytes) / float64(c.Goroutines)
}

func (c Cost) String() string {
	return fmt.Sprintf("%d goroutines: %.1f MiB of stacks + %.1f MiB of heap = %.0f bytes per goroutine",
		c.Goroutines, float64(c.StackBytes)/(1<<20), float64(c.HeapBytes)/(1<<20), c.PerGoroutine())
}

// MaxCostGoroutines bounds Measure so a typo cannot exhaust the machine's memory.
const MaxCostGoroutines = 2_000_000

// Measure starts n goroutines that each block on a channel, measures how much stack and
// heap memory appeared, then releases them and waits until every one has exited. It
// takes a fraction of a second and about 3 KiB per goroutine at its peak.
//
// The runtime keeps the descriptors of exited goroutines for reuse (their stacks are
// freed by the next garbage collection), so a repeat Measure in the same process
// reports mostly stack bytes: the cost of a goroutine once the runtime has warmed up.
func Measure(n int) (Cost, error) {
	if n < 1 || n > MaxCostGoroutines {
		return Cost{}, fmt.Errorf("goroutines: Measure: n = %d, want 1..%d", n, MaxCostGoroutines)
	}
	release := make(chan struct{})
	var started, exited sync.WaitGroup
	started.Add(n)
	exited.Add(n)
	runtime.GC()
	before := readMemory()
	for range n {
		go func() {
			defer exited.Done()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	after := readMemory()
	close(release)
	exited.Wait()
	return Cost{
		Goroutines: n,
		StackBytes: max(after.stacks-before.stacks, 0),
		HeapBytes:  max(after.objects-before.objects, 0),
	}, nil
}

type memory struct{ stacks, objects int }

func readMemory() memory {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/stacks:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	metrics.Read(s)
	var m memory
	if s[0].Value.Kind() == metrics.KindUint64 {
		m.stacks = int(s[0].Value.Uint64())
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		m.objects = int(s[1].Value.Uint64())
	}
	return m
}

// LeakedBy waits up to grace for every goroutine that belongs to fn to exit and returns
// how many remain. A goroutine belongs to fn if fn started it (directly, or from a
// closure inside fn) or if fn or one of its closures is on its stack; the calling
// goroutine is never counted. Unlike Leaked it ignores goroutines of unrelated code, so
// its verdict holds while other work runs. fn must be a named function (or a method
// value), not a func literal created elsewhere.
func LeakedBy(fn any, grace time.Duration) (int, error) {
	name, err := funcName(fn)
	if err != nil {
		return 0, fmt.Errorf("goroutines: LeakedBy: %w", err)
	}
	deadline := time.Now().Add(grace)
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 10*time.Millisecond) {
		n := countMentioning(name)
		if n == 0 || !time.Now().Before(deadline) {
			return n, nil
		}
		time.Sleep(min(pause, time.Until(deadline)))
	}
}

func funcName(fn any) (string, error) {
	if fn == nil {
		return "", errors.New("fn is nil")
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "", fmt.Errorf("fn is a %T, want a non-nil function", fn)
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return "", errors.New("fn has no symbol")
	}
	return strings.TrimSuffix(f.Name(), "-fm"), nil
}

// Stacks returns the traceback of every goroutine, the caller's first, as a panic prints
// them: what [runtime.Stack] writes, in a buffer grown until it all fits.
func Stacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// countMentioning counts goroutines, other than the caller, whose traceback has a frame
// of name (or of a closure in it) or says it was created by one.
func countMentioning(name string) int {
	stacks := strings.Split(Stacks(), "\n\n")
	count := 0
	for _, s := range stacks[1:] { // the first traceback is the caller's own
		if mentions(s, name) {
			count++
		}
	}
	return count
}

func mentions(stack, name string) bool {
	for line := range strings.Lines(stack) {
		line = strings.TrimPrefix(line, "created by ")
		if rest, ok := strings.CutPrefix(line, name); ok && rest != "" && (rest[0] == '(' || rest[0] == '.' || rest[0] == ' ') {
			return true
		}
	}
	return false
}
