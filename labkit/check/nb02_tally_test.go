package check

import (
	"context"
	"testing"
)

// The programs of notebook 02's race_tally exercise, as the verdict tests run them.

// The stub the notebook ships: count and latest are shared by the workers unguarded.
const tallyStubProgram = `package main

import (
	"fmt"
	"sync"
)

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				count++
				if tr.at > latest {
					latest = tr.at
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", latest)
}
`

// The reference solution (notebooks/solutions/02_race_conditions/race_tally.gocell):
// each worker tallies into its own variables and merges them once, under a mutex.
const tallyMergeProgram = `package main

import (
	"fmt"
	"sync"
)

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var mu sync.Mutex // guards count and latest
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n, last := 0, 0 // this worker's own: no other goroutine touches them
			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				n++
				last = max(last, tr.at)
			}
			mu.Lock()
			count += n
			latest = max(latest, last)
			mu.Unlock()
		})
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", latest)
}
`

// Wrong: count fixed (tallied per worker, merged under a mutex), latest still shared.
const tallyCountFixedOnly = `package main

import (
	"fmt"
	"sync"
)

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var mu sync.Mutex // guards count
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n := 0
			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				n++
				if tr.at > latest {
					latest = tr.at
				}
			}
			mu.Lock()
			count += n
			mu.Unlock()
		})
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", latest)
}
`

// Wrong: latest fixed (a slot per worker), count still shared.
const tallyLatestFixedOnly = `package main

import (
	"fmt"
	"slices"
	"sync"
)

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count := 0
	lasts := make([]int, workers) // one slot per worker, like volume
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				count++
				lasts[w] = max(lasts[w], tr.at)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", slices.Max(lasts))
}
`

// Wrong: no goroutines left, so nothing to race.
const tallySequential = `package main

import "fmt"

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	for w := range workers {
		for _, tr := range trades[w*chunk : (w+1)*chunk] {
			volume[w] += tr.size
			count++
			if tr.at > latest {
				latest = tr.at
			}
		}
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", latest)
}
`

// Wrong: race-free, but miscounts.
const tallyMiscount = `package main

import (
	"fmt"
	"sync"
)

type trade struct {
	at   int // milliseconds since the open
	size int
}

func main() {
	trades := make([]trade, 3000)
	for i := range trades {
		trades[i] = trade{at: i, size: i%7 + 1}
	}
	const workers = 3
	chunk := len(trades) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var mu sync.Mutex // guards count and latest
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n, last := 0, 0 // this worker's own: no other goroutine touches them
			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				n++
				last = max(last, tr.at)
			}
			mu.Lock()
			count += n + 1
			latest = max(latest, last)
			mu.Unlock()
		})
	}
	wg.Wait()
	total := 0
	for _, v := range volume {
		total += v
	}
	fmt.Println("trades", count, "volume", total, "latest", latest)
}
`

func TestRaceTallyVerdicts(t *testing.T) {
	cases := []struct {
		name, program, wantErr string
	}{
		{"stub (count and latest shared unguarded)", tallyStubProgram, "reported a data race"},
		{"solution", tallyMergeProgram, ""},
		{"count fixed, latest shared", tallyCountFixedOnly, "reported a data race"},
		{"latest fixed, count shared", tallyLatestFixedOnly, "reported a data race"},
		{"goroutines removed", tallySequential, "no longer starts goroutines"},
		{"miscounts", tallyMiscount, "want \"trades 3000"},
		{"does not compile", "package main\n\nfunc main() { go undefinedFunc() }\n", "did not build"},
		{"empty", "", "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := checkRaceTally(context.Background(), c.program)
			verdict(t, err, c.wantErr)
			if err != nil {
				t.Logf("verdict: %v", err)
			}
		})
	}
}
