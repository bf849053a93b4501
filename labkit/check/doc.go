// Package check judges the notebooks' exercises: a notebook's %test cell hands the
// reader's code to a function here, which fails the test with a message that says what to
// fix.
//
// Checks look at behaviour (results, ordering, whether work overlapped, whether goroutines
// were left behind), never at speed, and a verdict must not depend on luck: the same on
// every run, at any GOMAXPROCS, on a loaded machine. Checks about ordering, overlap and
// timeouts run the reader's code in a [testing/synctest] bubble, on a fake clock that
// only moves when every goroutine is blocked, and build scenarios a wrong answer cannot
// complete. Checks about data races and lost updates (a [sync.Mutex] held too briefly,
// a check-then-act) rebuild the reader's type in a sandboxed program under the race
// detector, with a yield before every statement so each interleaving the lock must
// prevent happens. Code that blocks where fake time cannot see (real sockets, other
// processes) runs on real time with one grace period for things that take microseconds.
// harness.go and sandbox.go hold what the checks share.
//
// check is the top of labkit's tiers: it may import any of them (core, measure, capstone),
// and no labkit package imports it (labkit/tiers_test.go enforces both).
//
// # Conventions
//
// Every check has the same shape, so a new notebook's check (nbNN.go) reads like the
// others:
//
//   - The exported check is Name(t *testing.T, fn func(...)): the reader's function type
//     is spelled out, with parameter names, in the signature (what the %test cell's reader
//     sees in the docs); no exported named function types. It takes *testing.T, not
//     [testing.TB], because [testing/synctest.Test] needs one; a %test cell has one.
//   - Inside the package the function type has one unexported alias, nameFunc = func(...),
//     and the verdict is checkName(t *testing.T, fn nameFunc) error, which rejects a nil
//     fn first. Name is t.Helper(); if err := checkName(t, fn); err != nil { t.Fatal(err) }.
//   - Types the reader builds are exported interfaces (Counter, Account, Broadcaster) and
//     the check takes a constructor: func() Counter.
//   - Verdict tests (nbNN_test.go) are one table per exercise, TestNameVerdicts, run by
//     runVerdicts: a row for the stub the notebook ships, the reference solution (a pass)
//     and at least three plausible wrong answers, each with a piece of the message it must
//     get. A row marked child is judged in a re-executed test binary (it leaves
//     goroutines stuck or races in-process). The stub and solution are copies that
//     TestCopiesMatchTheNotebooks keeps equal to the notebook. Test helpers take
//     [testing.TB].
package check
