package check

import (
	"fmt"
	"sync"
	"testing"
)

// The stub notebook 15 ships (exercise "transfer"): it locks from, then to, so two
// transfers going opposite ways can each hold one lock and wait for the other.
func transferFromThenTo(from, to BankAccount, amount int) error {
	from.Lock()
	defer from.Unlock()
	to.Lock() // while holding from: a transfer the other way holds to and waits for from
	defer to.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d has %d, cannot send %d", from.ID(), from.Balance(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

// The reference solution (notebooks/solutions/15_deadlocks_and_contention/transfer.gocell).
func transferLowerIDFirst(from, to BankAccount, amount int) error {
	if from.ID() == to.ID() {
		return fmt.Errorf("transfer: from and to are the same account (%d)", from.ID())
	}
	first, second := from, to
	if second.ID() < first.ID() {
		first, second = second, first // every transfer locks the lower ID first
	}
	first.Lock()
	defer first.Unlock()
	second.Lock()
	defer second.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d has %d, cannot send %d", from.ID(), from.Balance(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

// Wrong: never holds two locks, so it cannot deadlock — but between the two critical
// sections the money is in neither account.
func transferOneLockAtATime(from, to BankAccount, amount int) error {
	from.Lock()
	if from.Balance() < amount {
		from.Unlock()
		return fmt.Errorf("transfer: account %d cannot send %d", from.ID(), amount)
	}
	from.Add(-amount)
	from.Unlock()
	to.Lock()
	to.Add(amount)
	to.Unlock()
	return nil
}

// Wrong: one lock for the whole bank around the usual two. No deadlock, and no two
// transfers ever run at once.
var bankMu sync.Mutex

func transferOneBigLock(from, to BankAccount, amount int) error {
	if from.ID() == to.ID() {
		return fmt.Errorf("transfer: same account")
	}
	bankMu.Lock()
	defer bankMu.Unlock()
	from.Lock()
	defer from.Unlock()
	to.Lock()
	defer to.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d cannot send %d", from.ID(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

// Wrong: the right order, but a transfer to the same account locks it twice.
func transferOrderedSelfLocksTwice(from, to BankAccount, amount int) error {
	first, second := from, to
	if second.ID() < first.ID() {
		first, second = second, first
	}
	first.Lock()
	defer first.Unlock()
	second.Lock()
	defer second.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d cannot send %d", from.ID(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

// Wrong: "only the account that loses money needs its lock".
func transferLocksFromOnly(from, to BankAccount, amount int) error {
	from.Lock()
	defer from.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d cannot send %d", from.ID(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

// Wrong: orders by the balance — which the transfers themselves change, so two of them
// can disagree about which account comes first.
func transferRicherFirst(from, to BankAccount, amount int) error {
	if from.ID() == to.ID() {
		return fmt.Errorf("transfer: same account")
	}
	first, second := from, to
	if second.Balance() > first.Balance() { // read without the lock, and not a fixed order
		first, second = second, first
	}
	first.Lock()
	defer first.Unlock()
	second.Lock()
	defer second.Unlock()
	if from.Balance() < amount {
		return fmt.Errorf("transfer: account %d cannot send %d", from.ID(), amount)
	}
	from.Add(-amount)
	to.Add(amount)
	return nil
}

func TestTransferVerdicts(t *testing.T) {
	runVerdicts(t, checkTransfer, []verdictCase[transferFunc]{
		{"stub: from, then to", transferFromThenTo, "deadlocked: each holds the lock of its from account", false},
		{"solution: lower ID first", transferLowerIDFirst, "", false},
		{"one lock at a time", transferOneLockAtATime, "money was taken out of one account and not yet put into the other", false},
		{"one big lock", transferOneBigLock, "never held their locks at the same time", false},
		{"ordered, but locks the same account twice", transferOrderedSelfLocksTwice, "Transfer(alice, alice, 10), waits for a lock it already holds", false},
		{"locks only from", transferLocksFromOnly, "changing bob's balance (Add) without holding its lock", false},
		{"richer account first", transferRicherFirst, "reading bob's balance (Balance) without holding its lock", false},
		{"nil", nil, "transfer is nil", false},
	})
}
