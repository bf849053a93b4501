package check

import (
	"fmt"
	"strings"
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
// reentrant, unlike Python's RLock), and concurrent withdrawals must never overdraw. The
// concurrent trial runs the account's own code in a separate program under the race
// detector, switching goroutines at every statement (see sandbox.go), so a balance
// checked under one lock and debited under another overdraws on every run.
func Withdraw(t *testing.T, newAccount func() Account) {
	t.Helper()
	if err := checkWithdraw(t, newAccount); err != nil {
		t.Fatal(err)
	}
}

type withdrawFunc = func() Account

// accountHarness is the trial's main: 20 goroutines each try to withdraw 7 from 100 and
// read the balance; exactly 14 may succeed.
const accountHarness = `func main() {
	a := newValue().(interface {
		Deposit(amount int)
		Withdraw(amount int) bool
		Balance() int
	})
	a.Deposit(100)
	var mu sync.Mutex
	succeeded := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if a.Withdraw(7) {
				mu.Lock()
				succeeded++
				mu.Unlock()
			}
			_ = a.Balance()
		})
	}
	wg.Wait()
	fmt.Println("succeeded", succeeded, "balance", a.Balance())
}
`

// The calls one at a time run on real time, not fake: the mistake they are about is a
// goroutine blocked on a sync.Mutex it already holds, which fake time cannot see.
func checkWithdraw(_ *testing.T, newAccount withdrawFunc) error {
	a, err := construct("newAccount", newAccount)
	if err != nil {
		return err
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

	// Then a crowd, in the sandbox.
	_, out, err := raceTrial(newAccount(), "your account", accountHarness)
	if err != nil {
		return err
	}
	var succeeded, balance int
	_, line, _ := strings.Cut(out, "succeeded ")
	if _, err := fmt.Sscanf(line, "%d balance %d", &succeeded, &balance); err != nil {
		return fmt.Errorf("the account's trial printed %q", out)
	}
	if succeeded != 14 || balance != 2 {
		return fmt.Errorf("20 goroutines each withdrew 7 from 100: %d succeeded leaving %d, want 14 succeeding leaving 2. "+
			"Check the balance and subtract under one lock: unlocking in between lets two withdrawals pass the same check",
			succeeded, balance)
	}
	return nil
}
