package check

import (
	"sync"
	"testing"
)

// The stub notebook 01 ships: correct results, but one task at a time.
func runAllSequential(tasks []func() int) []int {
	results := make([]int, len(tasks))
	for i, task := range tasks {
		results[i] = task()
	}
	return results
}

// The reference solution (notebooks/solutions/01_goroutines/run_all.go).
func runAllConcurrent(tasks []func() int) []int {
	results := make([]int, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { results[i] = task() })
	}
	wg.Wait()
	return results
}

// Concurrent but appends in completion order: the classic ordering mistake.
func runAllUnordered(tasks []func() int) []int {
	var mu sync.Mutex
	var results []int
	var wg sync.WaitGroup
	for i := len(tasks) - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := tasks[i]()
			mu.Lock()
			results = append(results, v)
			mu.Unlock()
		}()
	}
	wg.Wait()
	// Make the order deterministic and wrong: reverse input order.
	for a, b := 0, len(results)-1; a < b; a, b = a+1, b-1 {
		results[a], results[b] = results[b], results[a]
	}
	if len(results) > 1 && results[0] == 0 {
		results[0], results[1] = results[1], results[0]
	}
	return results
}

// Starts every task but does not wait for them. Judged in a child: the check reads the
// results before the tasks write them, which is exactly the bug, and a data race.
func runAllNoWait(tasks []func() int) []int {
	results := make([]int, len(tasks))
	for i, task := range tasks {
		go func() { results[i] = task() }()
	}
	return results
}

// Wrong: a goroutine per task, but each waited for before the next starts.
func runAllInTurn(tasks []func() int) []int {
	results := make([]int, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { results[i] = task() })
		wg.Wait()
	}
	return results
}

func TestRunAllVerdicts(t *testing.T) {
	runVerdicts(t, checkRunAll, []verdictCase[runAllFunc]{
		{"stub (sequential)", runAllSequential, "did not run at the same time", false},
		{"solution", runAllConcurrent, "", false},
		{"unordered", runAllUnordered, "input order", false},
		{"no wait", runAllNoWait, "only 0 of 8 tasks had finished", true},
		{"goroutines waited for in turn", runAllInTurn, "did not run at the same time", false},
		{"nil", nil, "nil", false},
	})
}
