// RunAll runs every task, waits for all of them, and returns their results in input order.
func RunAll(tasks []func() int) []int {
	results := make([]int, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { results[i] = task() }) // each goroutine writes only its own slot
	}
	wg.Wait()
	return results
}
