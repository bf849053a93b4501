package check

import (
	"strings"
	"sync"
	"testing"
)

// The stub notebook 03 ships (exercise "withdraw"): Withdraw holds the lock and calls
// Balance, which takes it again. Fine with Python's RLock, a deadlock with sync.Mutex.
type reentrantAccount struct {
	mu      sync.Mutex
	balance int
}

func (a *reentrantAccount) Deposit(amount int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += amount
}

func (a *reentrantAccount) Balance() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balance
}

func (a *reentrantAccount) Withdraw(amount int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Balance() < amount {
		return false
	}
	a.balance -= amount
	return true
}

// The reference solution (notebooks/solutions/03_locks_and_atomics/withdraw.gocell).
type lockedHelperAccount struct {
	mu      sync.Mutex
	balance int
}

func (a *lockedHelperAccount) Deposit(amount int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += amount
}

func (a *lockedHelperAccount) Balance() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balanceLocked()
}

func (a *lockedHelperAccount) balanceLocked() int { return a.balance }

func (a *lockedHelperAccount) Withdraw(amount int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.balanceLocked() < amount {
		return false
	}
	a.balance -= amount
	return true
}

// Deterministically wrong: never refuses, so the balance goes negative.
type overdraftAccount struct{ lockedHelperAccount }

func (a *overdraftAccount) Withdraw(amount int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance -= amount
	return true
}

func init() {
	childStubs["nb03-reentrant"] = func(t *testing.T) error { return checkWithdraw(func() Account { return &reentrantAccount{} }) }
}

func TestWithdrawFailsOnStub(t *testing.T) {
	t.Parallel()
	errText, passed := verdictInChild(t, "nb03-reentrant")
	t.Logf("verdict on the stub: %s", errText)
	if passed || !strings.Contains(errText, "did not return") || !strings.Contains(errText, "not reentrant") {
		t.Fatalf("want the stub to be reported as a self-deadlock, got passed=%v %q", passed, errText)
	}
}

func TestWithdrawPassesOnSolution(t *testing.T) {
	t.Parallel()
	if err := checkWithdraw(func() Account { return &lockedHelperAccount{} }); err != nil {
		t.Fatal(err)
	}
}

func TestWithdrawRejectsOverdraftAndNil(t *testing.T) {
	t.Parallel()
	err := checkWithdraw(func() Account { return &overdraftAccount{} })
	if err == nil || !strings.Contains(err.Error(), "Withdraw(500) = true, want false") {
		t.Fatalf("overdraft: %v", err)
	}
	if err := checkWithdraw(nil); err == nil {
		t.Fatal("nil passed")
	}
}
