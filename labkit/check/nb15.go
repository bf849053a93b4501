package check

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BankAccount is an account of notebook 15's bank, as Transfer sees it: a lock that guards
// the balance, and an ID that is unique in the bank.
type BankAccount interface {
	ID() int
	Lock()
	Unlock()
	Balance() int   // call with the account locked
	Add(amount int) // call with the account locked; a negative amount takes money out
}

// transferFunc is the reader's Transfer.
type transferFunc = func(from, to BankAccount, amount int) error

// Transfer checks notebook 15's exercise: transfer moves amount from one account to another
// with both locked, returns an error (and moves nothing) if from cannot cover it, and must
// never deadlock — not when two transfers go opposite ways at once, and not when from and
// to are the same account. Transfers between different accounts must be able to run at
// the same time.
//
// The accounts it hands to transfer watch their locks. So the check lines transfers up
// exactly (each holds its first lock before any asks for its second), knows a deadlock
// the moment every transfer waits for a lock another holds, and then releases them: a
// deadlocked transfer ends (its deferred calls run), and nothing is left stuck.
func Transfer(t *testing.T, transfer func(from, to BankAccount, amount int) error) {
	t.Helper()
	if err := checkTransfer(t, transfer); err != nil {
		t.Fatal(err)
	}
}

// Real time, not fake: transfers block on the accounts' locks, which the check sees
// itself; grace only bounds waits for code that blocks elsewhere (a lock of its own).
func checkTransfer(t *testing.T, transfer transferFunc) error {
	if transfer == nil {
		return errors.New("transfer is nil")
	}
	return inTurn(transfer, transferAlone, transferDisjointAtOnce, transferOppositeWays, transferToItself, transferCrowd)()
}

// transferAlone: one transfer at a time, the arithmetic and where the locks are held.
func transferAlone(transfer transferFunc) error {
	b := newWatchedBank(100, 50)
	alice, bob := b.accounts[0], b.accounts[1]
	if err := b.one(transfer, alice, bob, 30); err != nil {
		return fmt.Errorf("one transfer, Transfer(alice, bob, 30) with 100 and 50: %w", err)
	}
	if got := b.balances(); got[0] != 70 || got[1] != 80 {
		return fmt.Errorf("after Transfer(alice, bob, 30) with 100 and 50, the balances are %v, want [70 80]", got)
	}
	if err := b.one(transfer, bob, alice, 500); err == nil {
		return errors.New("one transfer, Transfer(bob, alice, 500) with 80 on bob, returned nil, want an error: bob cannot cover it")
	} else if errors.Is(err, errMisuse) || errors.Is(err, errDeadlock) || errors.Is(err, errHung) {
		return fmt.Errorf("one transfer, Transfer(bob, alice, 500) with 80 on bob: %w", err)
	}
	if got := b.balances(); got[0] != 70 || got[1] != 80 {
		return fmt.Errorf("a refused Transfer(bob, alice, 500) changed the balances to %v, want [70 80]", got)
	}
	return nil
}

// transferDisjointAtOnce: two transfers between different accounts must be able to hold
// their locks at the same time.
func transferDisjointAtOnce(transfer transferFunc) error {
	b := newWatchedBank(100, 100, 100, 100)
	a := b.accounts
	if err := b.together(transfer, []move{{a[0], a[1], 10}, {a[2], a[3], 10}}, true); err != nil {
		return fmt.Errorf("two transfers at once, Transfer(alice, bob, 10) and Transfer(carol, dave, 10): %w", err)
	}
	if b.serialised {
		return fmt.Errorf("two transfers at once, Transfer(alice, bob, 10) and Transfer(carol, dave, 10), never held their locks at the same time "+
			"(one waited %v for the other): something every transfer shares, such as one big lock, lets only one run "+
			"at a time. Lock just the two accounts involved", grace)
	}
	return nil
}

// transferOppositeWays: two transfers opposite ways at once, each holding its first lock
// before either asks for a second.
func transferOppositeWays(transfer transferFunc) error {
	b := newWatchedBank(100, 100)
	alice, bob := b.accounts[0], b.accounts[1]
	if err := b.together(transfer, []move{{alice, bob, 10}, {bob, alice, 20}}, true); errors.Is(err, errDeadlock) {
		return errors.New("two transfers at once, Transfer(alice, bob, 10) and Transfer(bob, alice, 20), deadlocked: each holds " +
			"the lock of its from account and waits for the other's. Lock the two accounts in one order every " +
			"transfer agrees on — the lower ID() first — whichever way the money goes")
	} else if err != nil {
		return fmt.Errorf("two transfers at once, Transfer(alice, bob, 10) and Transfer(bob, alice, 20): %w", err)
	}
	if got := b.balances(); got[0] != 110 || got[1] != 90 {
		return fmt.Errorf("after Transfer(alice, bob, 10) and Transfer(bob, alice, 20) from 100 each, the balances are %v, want [110 90]", got)
	}
	return nil
}

// transferToItself: a transfer from and to the same account.
func transferToItself(transfer transferFunc) error {
	b := newWatchedBank(100)
	alice := b.accounts[0]
	if err := b.one(transfer, alice, alice, 10); errors.Is(err, errDeadlock) {
		return errors.New("a transfer to the same account, Transfer(alice, alice, 10), waits for a lock it already holds (sync.Mutex is not reentrant): " +
			"when from and to are the same account, lock it once, or refuse with an error")
	} else if errors.Is(err, errMisuse) || errors.Is(err, errHung) {
		return fmt.Errorf("a transfer to the same account, Transfer(alice, alice, 10): %w", err)
	}
	if got := b.balances(); got[0] != 100 {
		return fmt.Errorf("a transfer to the same account, Transfer(alice, alice, 10), left alice with %d, want 100", got[0])
	}
	return nil
}

// transferCrowd: random transfers among four accounts in every direction.
func transferCrowd(transfer transferFunc) error {
	b := newWatchedBank(1000, 1000, 1000, 1000)
	var moves []move
	rng := rand.New(rand.NewPCG(15, 15))
	for range 400 {
		i, j := rng.IntN(4), rng.IntN(3)
		if j >= i {
			j++
		}
		moves = append(moves, move{b.accounts[i], b.accounts[j], 1 + rng.IntN(30)})
	}
	if err := b.together(transfer, moves, false); errors.Is(err, errDeadlock) {
		return fmt.Errorf("%d random transfers among four accounts deadlocked: every one left was waiting for a lock "+
			"another held. Lock in one order every transfer agrees on: the lower ID() first", len(moves))
	} else if err != nil && (errors.Is(err, errMisuse) || errors.Is(err, errHung)) {
		return fmt.Errorf("%d random transfers among four accounts: %w", len(moves), err)
	}
	if total := sum(b.balances()); total != 4000 {
		return fmt.Errorf("%d random transfers among four accounts of 1000 left %d in total, want 4000", len(moves), total)
	}
	return nil
}

var (
	errDeadlock = errors.New("deadlock")
	errMisuse   = errors.New("misuse")
	errHung     = errors.New("hung")
)

// move is one transfer a scenario makes.
type move struct {
	from, to *watchedAccount
	amount   int
}

// watchedBank holds the accounts a scenario hands to transfer and watches their locks.
type watchedBank struct {
	accounts []*watchedAccount

	mu         sync.Mutex // guards the fields below and every account's balance and held
	total      int        // the sum of the balances, whenever no account is locked
	unfinished int        // transfers started and not yet returned
	waiting    int        // Lock calls blocked now
	misuse     error      // the first misuse seen
	resolved   int        // Lock calls that got the lock or began to wait for it
	finished   int        // transfers returned
	lineUp     int        // hold a first lock until resolved+finished reach this
	lined      chan struct{}
	serialised bool          // a transfer held its lock for grace and nobody else got one
	deadlock   chan struct{} // closed when every unfinished transfer waits for a held lock
	release    chan struct{} // closed to end the transfers still waiting
}

type watchedAccount struct {
	bank    *watchedBank
	id      int
	name    string
	sem     chan struct{} // the lock: full when held
	held    bool
	balance int
	waiters int // Lock calls blocked on this account
}

var bankNames = []string{"alice", "bob", "carol", "dave"}

func newWatchedBank(balances ...int) *watchedBank {
	b := &watchedBank{}
	for i, bal := range balances {
		// IDs out of list order, so a solution must compare them rather than assume.
		b.accounts = append(b.accounts, &watchedAccount{bank: b, id: 40 - 10*i + i%2*25, name: bankNames[i], sem: make(chan struct{}, 1), balance: bal})
		b.total += bal
	}
	return b
}

func (a *watchedAccount) ID() int { return a.id }

func (a *watchedAccount) Lock() {
	b := a.bank
	select {
	case a.sem <- struct{}{}:
		b.acquired(a, false)
		return
	default:
	}
	b.mu.Lock()
	a.waiters++
	b.waiting++
	b.resolved++
	b.openLineUpLocked()
	b.checkDeadlockLocked()
	release := b.release
	b.mu.Unlock()
	select {
	case a.sem <- struct{}{}:
		b.acquired(a, true)
	case <-release:
		b.mu.Lock()
		a.waiters--
		b.waiting--
		b.mu.Unlock()
		runtime.Goexit() // the verdict is in: end this transfer, running its deferred calls
	}
}

// acquired records that a holds its lock, then holds the transfer at the line-up.
func (b *watchedBank) acquired(a *watchedAccount, waited bool) {
	b.mu.Lock()
	a.held = true
	if waited {
		a.waiters--
		b.waiting--
	} else {
		b.resolved++
		b.openLineUpLocked()
	}
	b.checkDeadlockLocked()
	lined := b.lined
	b.mu.Unlock()
	if lined == nil {
		return
	}
	select {
	case <-lined:
	case <-time.After(grace):
		b.mu.Lock()
		b.serialised = true
		b.openLineUpLocked()
		b.mu.Unlock()
	}
}

func (a *watchedAccount) Unlock() {
	b := a.bank
	b.mu.Lock()
	if !a.held {
		b.mu.Unlock()
		if b.isReleased() {
			return // a transfer ended by the check unlocks what it did not get
		}
		b.noteMisuse(fmt.Errorf("unlocking %s (Unlock), which is not locked", a.name))
		return
	}
	a.held = false
	if b.misuse == nil && b.noneHeldLocked() {
		if got := b.sumLocked(); got != b.total {
			b.misuse = fmt.Errorf("%w: with no account locked the balances added up to %d, not %d: money was "+
				"taken out of one account and not yet put into the other while neither was locked. Hold both "+
				"locks from the first change to the last", errMisuse, got, b.total)
		}
	}
	b.mu.Unlock()
	<-a.sem
}

func (a *watchedAccount) Balance() int {
	b := a.bank
	b.mu.Lock()
	defer b.mu.Unlock()
	if !a.held {
		b.noteMisuseLocked(fmt.Errorf("reading %s's balance (Balance) without holding its lock", a.name))
	}
	return a.balance
}

func (a *watchedAccount) Add(amount int) {
	b := a.bank
	b.mu.Lock()
	defer b.mu.Unlock()
	if !a.held {
		b.noteMisuseLocked(fmt.Errorf("changing %s's balance (Add) without holding its lock: lock both accounts before changing either", a.name))
	}
	a.balance += amount
}

func (b *watchedBank) noteMisuse(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.noteMisuseLocked(err)
}

func (b *watchedBank) noteMisuseLocked(err error) {
	if b.misuse == nil {
		b.misuse = fmt.Errorf("%w: %w", errMisuse, err)
	}
}

func (b *watchedBank) isReleased() bool {
	select {
	case <-b.release:
		return true
	default:
		return false
	}
}

func (b *watchedBank) openLineUpLocked() {
	if b.lined != nil && b.resolved+b.finished >= b.lineUp {
		select {
		case <-b.lined:
		default:
			close(b.lined)
		}
	}
}

// checkDeadlockLocked closes b.deadlock if every unfinished transfer waits for a lock that
// is held: nobody can unlock any more. (A lock being handed over is briefly not held, so
// this never fires early.)
func (b *watchedBank) checkDeadlockLocked() {
	if b.unfinished == 0 || b.waiting < b.unfinished {
		return
	}
	for _, a := range b.accounts {
		if a.waiters > 0 && !a.held {
			return
		}
	}
	select {
	case <-b.deadlock:
	default:
		close(b.deadlock)
	}
}

func (b *watchedBank) noneHeldLocked() bool {
	for _, a := range b.accounts {
		if a.held {
			return false
		}
	}
	return true
}

func (b *watchedBank) sumLocked() (total int) {
	for _, a := range b.accounts {
		total += a.balance
	}
	return total
}

func (b *watchedBank) balances() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]int, len(b.accounts))
	for i, a := range b.accounts {
		out[i] = a.balance
	}
	return out
}

// one runs a single transfer and returns its error, or errDeadlock, errMisuse or errHung.
func (b *watchedBank) one(transfer transferFunc, from, to *watchedAccount, amount int) error {
	errs, err := b.run(transfer, []move{{from, to, amount}}, false)
	if err != nil {
		return err
	}
	return errs[0]
}

// together runs moves at once and returns errDeadlock, errMisuse or errHung, ignoring the
// transfers' own errors. With lineUp, a transfer that gets a lock waits (up to grace) until
// every other has taken or asked for one.
func (b *watchedBank) together(transfer transferFunc, moves []move, lineUp bool) error {
	_, err := b.run(transfer, moves, lineUp)
	return err
}

func (b *watchedBank) run(transfer transferFunc, moves []move, lineUp bool) ([]error, error) {
	b.reset(len(moves), lineUp)
	errs, all := b.start(transfer, moves)
	var verdict error
	select {
	case <-all:
	case <-b.deadlock:
		verdict = errDeadlock
	case <-time.After(10 * grace):
		verdict = fmt.Errorf("%w: the transfers had not all returned after %v, and not because of the accounts' locks: "+
			"is something else (a lock of your own, a channel) never released?", errHung, 10*grace)
	}
	close(b.release) // end the transfers still waiting for an account's lock
	if verdict != nil {
		if _, ok := await(all, grace); !ok && verdict == errDeadlock {
			verdict = fmt.Errorf("%w (and the transfers did not end when released)", errDeadlock)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if verdict == nil {
		verdict = b.misuseLocked()
	}
	return errs, verdict
}

// reset readies b for n transfers; with lineUp they are held until all have locked their
// first account.
func (b *watchedBank) reset(n int, lineUp bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unfinished, b.finished, b.resolved, b.serialised = n, 0, 0, false
	b.deadlock, b.release, b.lined = make(chan struct{}), make(chan struct{}), nil
	if lineUp {
		b.lineUp, b.lined = n, make(chan struct{})
	}
}

// start runs every move in a goroutine of its own; errs[i] is move i's result once all
// is closed (errDeadlock for one the check ended).
func (b *watchedBank) start(transfer transferFunc, moves []move) (errs []error, all <-chan struct{}) {
	errs = make([]error, len(moves))
	var wg sync.WaitGroup
	for i, m := range moves {
		wg.Go(func() {
			returned := false
			defer func() {
				if r := recover(); r != nil {
					b.noteMisuse(fmt.Errorf("a transfer, Transfer(%s, %s, %d), panicked: %v", m.from.name, m.to.name, m.amount, r))
				} else if !returned {
					errs[i] = errDeadlock // ended by the check (runtime.Goexit)
				}
				b.mu.Lock()
				b.unfinished--
				b.finished++
				b.openLineUpLocked()
				b.checkDeadlockLocked()
				b.mu.Unlock()
			}()
			errs[i] = transfer(m.from, m.to, m.amount)
			returned = true
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return errs, done
}

// misuseLocked is the misuse the transfers showed: one noted while they ran, or an
// account left locked.
func (b *watchedBank) misuseLocked() error {
	if b.misuse != nil {
		return b.misuse
	}
	for _, a := range b.accounts {
		if a.held {
			return fmt.Errorf("%w: a transfer returned with %s still locked: unlock everything you lock (defer helps)", errMisuse, a.name)
		}
	}
	return nil
}

func sum(xs []int) (total int) {
	for _, x := range xs {
		total += x
	}
	return total
}
