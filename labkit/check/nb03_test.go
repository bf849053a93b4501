package check

import (
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

// Wrong: check-then-act. The balance is read under the lock (through Balance), the lock
// released, then the debit taken under it again: two withdrawals can pass the same check.
type checkThenActAccount struct{ lockedHelperAccount }

func (a *checkThenActAccount) Withdraw(amount int) bool {
	if a.Balance() < amount {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance -= amount
	return true
}

// Wrong: Withdraw takes no lock at all.
type unlockedWithdrawAccount struct{ lockedHelperAccount }

func (a *unlockedWithdrawAccount) Withdraw(amount int) bool {
	if a.balance < amount {
		return false
	}
	a.balance -= amount
	return true
}

// Wrong: Balance reads without the lock ("just a read").
type unlockedBalanceAccount struct{ lockedHelperAccount }

func (a *unlockedBalanceAccount) Balance() int { return a.balance }

func TestWithdrawVerdicts(t *testing.T) {
	runVerdicts(t, checkWithdraw, []verdictCase[withdrawFunc]{
		{"stub (reentrant lock)", func() Account { return &reentrantAccount{} }, "not reentrant", true},
		{"solution", func() Account { return &lockedHelperAccount{} }, "", false},
		{"never refuses", func() Account { return &overdraftAccount{} }, "Withdraw(500) = true, want false", false},
		{"check then act", func() Account { return &checkThenActAccount{} }, "succeeded leaving", false},
		{"Withdraw unlocked", func() Account { return &unlockedWithdrawAccount{} }, "data race", false},
		{"Balance unlocked", func() Account { return &unlockedBalanceAccount{} }, "data race", false},
		{"nil", nil, "nil", false},
	})
}
