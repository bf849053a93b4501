package check

import (
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

func main() {
	sizes := make([]int, 3000) // trade i: i%7+1 lots, at millisecond i of the day
	for i := range sizes {
		sizes[i] = i%7 + 1
	}
	const workers = 3
	chunk := len(sizes) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * chunk; i < (w+1)*chunk; i++ {
				volume[w] += sizes[i]
				count++
				latest = max(latest, i)
			}
		})
	}
	wg.Wait()
	fmt.Println("trades", count, "volume", volume[0]+volume[1]+volume[2], "latest", latest)
}
`

// The reference solution (notebooks/solutions/02_race_conditions/race_tally.gocell):
// each worker tallies into its own variables and merges them once, under a mutex.
const tallyMergeProgram = `package main

import (
	"fmt"
	"sync"
)

func main() {
	sizes := make([]int, 3000) // trade i: i%7+1 lots, at millisecond i of the day
	for i := range sizes {
		sizes[i] = i%7 + 1
	}
	const workers = 3
	chunk := len(sizes) / workers
	volume := make([]int, workers) // one slot per worker
	count, latest := 0, 0
	var mu sync.Mutex // guards count and latest
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n, last := 0, 0 // this worker's own: no other goroutine touches them
			for i := w * chunk; i < (w+1)*chunk; i++ {
				volume[w] += sizes[i]
				n++
				last = max(last, i)
			}
			mu.Lock()
			count += n
			latest = max(latest, last)
			mu.Unlock()
		})
	}
	wg.Wait()
	fmt.Println("trades", count, "volume", volume[0]+volume[1]+volume[2], "latest", latest)
}
`

// The wrong answers are the stub with its worker loop (tallyLoop) rewritten.
const tallyLoop = `			for i := w * chunk; i < (w+1)*chunk; i++ {
				volume[w] += sizes[i]
				count++
				latest = max(latest, i)
			}
`

// tallyVariant returns the stub with old replaced by new, each of which must occur once.
func tallyVariant(t testing.TB, pairs ...string) string {
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
			for i := w * chunk; i < (w+1)*chunk; i++ {
				volume[w] += sizes[i]
				n++
				latest = max(latest, i)
			}
			mu.Lock()
			count += n
			mu.Unlock()
`, "\tvar wg sync.WaitGroup\n", "\tvar mu sync.Mutex\n\tvar wg sync.WaitGroup\n")
	// Wrong: latest fixed (a slot per worker, like volume), count still shared.
	latestFixedOnly := tallyVariant(t, "latest = max(latest, i)",
		"lasts[w] = max(lasts[w], i)",
		"count, latest := 0, 0", "count, lasts := 0, make([]int, workers)",
		`"latest", latest)`, `"latest", slices.Max(lasts))`,
		"\t\"fmt\"\n", "\t\"fmt\"\n\t\"slices\"\n")
	// Wrong: no goroutines left, so nothing to race.
	sequential := tallyVariant(t, "\t\twg.Go(func() {\n", "", "\t\t})\n\t}\n\twg.Wait()\n", "\t}\n",
		"\tvar wg sync.WaitGroup\n", "", "\t\"sync\"\n", "")
	// Wrong: race-free, but miscounts.
	miscount := strings.Replace(tallyMergeProgram, "count += n", "count += n + 1", 1)

	// Wrong: the workers take turns (each waited for before the next starts).
	takingTurns := tallyVariant(t, "\t\t})\n\t}\n\twg.Wait()\n", "\t\t})\n\t\twg.Wait()\n\t}\n")

	runVerdicts(t, checkRaceTally, []verdictCase[string]{
		{"stub (count and latest shared unguarded)", tallyStubProgram, "the race detector reported a data race", false},
		{"solution", tallyMergeProgram, "", false},
		{"count fixed, latest shared", countFixedOnly, "the race detector reported a data race", false},
		{"latest fixed, count shared", latestFixedOnly, "the race detector reported a data race", false},
		{"goroutines removed", sequential, "never ran in two goroutines at once", false},
		{"workers take turns", takingTurns, "never ran in two goroutines at once", false},
		{"miscounts", miscount, "want \"trades 3000", false},
		{"does not compile", "package main\n\nfunc main() { go undefinedFunc() }\n", "did not build", false},
		{"empty", "", "empty", false},
	})
}
