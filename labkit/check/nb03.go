package check

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// Account is notebook 03's bank account: its methods may be called from many goroutines.
type Account interface {
	Deposit(amount int)
	// Withdraw takes amount out if the balance covers it and reports whether it did.
	Withdraw(amount int) bool
	Balance() int
}

// Withdraw checks notebook 03's exercise: Withdraw must not deadlock (Go's sync.Mutex is not
// reentrant, unlike Python's RLock), and concurrent withdrawals must never overdraw.
func Withdraw(t *testing.T, newAccount func() Account) {
	t.Helper()
	if err := checkWithdraw(newAccount); err != nil {
		t.Fatal(err)
	}
}

// Real time, not fake: the mistake this check is about is a goroutine blocked on a
// sync.Mutex it already holds, and fake time cannot see a goroutine waiting for a lock.
func checkWithdraw(newAccount func() Account) error {
	if newAccount == nil {
		return fmt.Errorf("newAccount is nil")
	}
	a := newAccount()
	if a == nil {
		return fmt.Errorf("newAccount returned nil")
	}
	// One call at a time first: a self-deadlock shows up here, with a precise message.
	steps := []struct {
		what string
		call func() any
		want any
	}{
		{"Deposit(100)", func() any { a.Deposit(100); return nil }, nil},
		{"Balance()", func() any { return a.Balance() }, 100},
		{"Withdraw(30)", func() any { return a.Withdraw(30) }, true},
		{"Balance()", func() any { return a.Balance() }, 70},
		{"Withdraw(500)", func() any { return a.Withdraw(500) }, false},
		{"Balance()", func() any { return a.Balance() }, 70},
	}
	for _, s := range steps {
		got, ok := callWithin(grace, s.call)
		if !ok {
			return fmt.Errorf("%s did not return within %v: it is waiting for a lock its own goroutine already holds. "+
				"Go's sync.Mutex is not reentrant (there is no RLock): have the locked method call an unexported "+
				"helper that assumes the lock is held (e.g. balanceLocked) instead of the public method", s.what, grace)
		}
		if got != s.want {
			return fmt.Errorf("after the earlier calls, %s = %v, want %v", s.what, got, s.want)
		}
	}

	// Then a crowd: 200 goroutines each try to withdraw 7 from 1000. Exactly 142 may succeed.
	const (
		start, amount, crowd = 1000, 7, 200
	)
	for trial := 1; trial <= 3; trial++ {
		a = newAccount()
		if a == nil {
			return fmt.Errorf("newAccount returned nil")
		}
		a.Deposit(start)
		var ok atomic.Int64
		var wg sync.WaitGroup
		for range crowd {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if a.Withdraw(amount) {
					ok.Add(1)
				}
			}()
		}
		if _, finished := callWithin(10*grace, func() struct{} { wg.Wait(); return struct{}{} }); !finished {
			return fmt.Errorf("trial %d: %d concurrent Withdraw calls did not all return: a deadlock under contention", trial, crowd)
		}
		wantOK := start / amount
		got := a.Balance()
		if int(ok.Load()) != wantOK || got != start-wantOK*amount {
			return fmt.Errorf("trial %d: %d goroutines each withdrew %d from %d: %d succeeded leaving %d, want %d succeeding leaving %d. "+
				"Check the balance and subtract under one lock: unlocking in between lets two withdrawals pass the same check",
				trial, crowd, amount, start, ok.Load(), got, wantOK, start-wantOK*amount)
		}
	}
	return nil
}
