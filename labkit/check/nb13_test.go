package check

import (
	"context"
	"testing"
)

// The stub notebook 13 ships (exercise "forward"): all of a, then all of b, ctx ignored.
func forwardSequential(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for v := range a {
		out(v)
	}
	for v := range b {
		out(v)
	}
	return nil
}

// The reference solution (notebooks/solutions/13_memory_model/forward.gocell).
func forwardSelect(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for a != nil || b != nil {
		if err := ctx.Err(); err != nil { // cancellation wins over values that are ready
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case v, ok := <-a:
			if !ok {
				a = nil // a nil channel is never ready: this case is off
				continue
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out(v)
		}
	}
	return nil
}

// Wrong: ctx is one case among the others, so a ready value wins 2 times in 3.
func forwardNoPriority(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for a != nil || b != nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out(v)
		}
	}
	return nil
}

// Wrong: skips a closed channel's case but leaves it in the select, which spins.
func forwardNoNil(ctx context.Context, a, b <-chan int, out func(v int)) error {
	aOpen, bOpen := true, true
	for aOpen || bOpen {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case v, ok := <-a:
			if !ok {
				aOpen = false
				continue
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				bOpen = false
				continue
			}
			out(v)
		}
	}
	return nil
}

// Wrong: forwards whatever a receive returns, zero values of a closed channel included.
func forwardZeros(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case v := <-a:
			out(v)
		case v := <-b:
			out(v)
		}
	}
}

// Wrong: returns as soon as either channel is closed.
func forwardFirstClose(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case v, ok := <-a:
			if !ok {
				return nil
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				return nil
			}
			out(v)
		}
	}
}

// Wrong: `break` in the ctx case leaves the select, not the loop.
func forwardBreak(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for a != nil || b != nil {
		select {
		case <-ctx.Done():
			break
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out(v)
		}
	}
	return ctx.Err()
}

// Wrong: checks ctx before each select, but the select has no ctx case, so a Forward
// waiting for a value never notices the cancellation.
func forwardNoDoneCase(ctx context.Context, a, b <-chan int, out func(v int)) error {
	for a != nil || b != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			out(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out(v)
		}
	}
	return nil
}

// Wrong: returns nil when cancelled.
func forwardNilOnCancel(ctx context.Context, a, b <-chan int, out func(v int)) error {
	if err := forwardSelect(ctx, a, b, out); err != context.Canceled {
		return err
	}
	return nil
}

func TestForwardVerdicts(t *testing.T) {
	runVerdicts(t, checkForward, []verdictCase[forwardFunc]{
		{"stub (a, then b, ctx ignored)", forwardSequential, "went on passing [103", true},
		{"solution", forwardSelect, "", false},
		{"ctx is just another case", forwardNoPriority, "picks one of its ready cases at random", false},
		{"closed channel left in the select", forwardNoNil, "set it to nil so its case is never chosen", false},
		{"zero values of a closed channel", forwardZeros, "0s nobody sent", false},
		{"returns when the first channel closes", forwardFirstClose, "once b was closed", false},
		{"break in select", forwardBreak, "`break` inside a select", false},
		{"no ctx case in the select", forwardNoDoneCase, "needs a case <-ctx.Done()", true},
		{"returns nil when cancelled", forwardNilOnCancel, "want ctx.Err()", false},
		{"nil", nil, "nil", false},
	})
}
