package check

// TEMPORARY: copies of the shared harness (labkit/check/harness.go on the checks branch)
// that nb06.go uses; delete this file when harness.go is in main.

import "time"

const grace = 3 * time.Second

func goCall[T any](fn func() T) <-chan T {
	done := make(chan T, 1)
	go func() { done <- fn() }()
	return done
}

func await[T any](done <-chan T, d time.Duration) (v T, ok bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v = <-done:
		return v, true
	case <-timer.C:
		return v, false
	}
}

type outcome[T any] struct {
	v   T
	err error
}
