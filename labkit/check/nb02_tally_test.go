package check

import (
	"context"
	"strings"
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

// The wrong answers are the stub with its worker loop (tallyLoop) rewritten.
const tallyLoop = `			for _, tr := range trades[w*chunk : (w+1)*chunk] {
				volume[w] += tr.size
				count++
				if tr.at > latest {
					latest = tr.at
				}
			}
`

// tallyVariant returns the stub with old replaced by new, each of which must occur once.
func tallyVariant(t *testing.T, pairs ...string) string {
	t.Helper()
	program := tallyStubProgram
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.Count(program, pairs[i]) != 1 {
			t.Fatalf("the stub program does not contain exactly one %q", pairs[i])
		}
		program = strings.Replace(program, pairs[i], pairs[i+1], 1)
	}
	return program
}

func TestRaceTallyVerdicts(t *testing.T) {
	// Wrong: count fixed (tallied per worker, merged under a mutex), latest still shared.
	countFixedOnly := tallyVariant(t, tallyLoop, `			n := 0
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
`, "\tvar wg sync.WaitGroup\n", "\tvar mu sync.Mutex\n\tvar wg sync.WaitGroup\n")
	// Wrong: latest fixed (a slot per worker, like volume), count still shared.
	latestFixedOnly := tallyVariant(t, "if tr.at > latest {\n\t\t\t\t\tlatest = tr.at\n\t\t\t\t}",
		"lasts[w] = max(lasts[w], tr.at)",
		"count, latest := 0, 0", "count, lasts := 0, make([]int, workers)",
		`"latest", latest)`, `"latest", slices.Max(lasts))`,
		"\t\"fmt\"\n", "\t\"fmt\"\n\t\"slices\"\n")
	// Wrong: no goroutines left, so nothing to race.
	sequential := tallyVariant(t, "\t\twg.Go(func() {\n", "", "\t\t})\n\t}\n\twg.Wait()\n", "\t}\n",
		"\tvar wg sync.WaitGroup\n", "", "\t\"sync\"\n", "")
	// Wrong: race-free, but miscounts.
	miscount := strings.Replace(tallyMergeProgram, "count += n", "count += n + 1", 1)

	cases := []struct {
		name, program, wantErr string
	}{
		{"stub (count and latest shared unguarded)", tallyStubProgram, "reported a data race"},
		{"solution", tallyMergeProgram, ""},
		{"count fixed, latest shared", countFixedOnly, "reported a data race"},
		{"latest fixed, count shared", latestFixedOnly, "reported a data race"},
		{"goroutines removed", sequential, "no longer starts goroutines"},
		{"miscounts", miscount, "want \"trades 3000"},
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
