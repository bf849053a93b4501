// Package check judges the notebooks' exercises: a notebook's %test cell hands the
// reader's code to a function here, which fails the test with a message that says what to
// fix.
//
// Checks look at behaviour (results, ordering, whether work overlapped, whether goroutines
// were left behind), never at speed. Checks about ordering, overlap and timeouts run the
// reader's code in a [testing/synctest] bubble, on a fake clock that only moves when every
// goroutine is blocked: their verdicts are exact, the same on every run and machine, and
// take no real time; goroutines left blocked at the end are reported as a leak. Checks
// whose code blocks where fake time cannot see (a [sync.Mutex], real sockets, other
// processes) run on real time with one grace period for things that take microseconds.
// harness.go holds what the checks share.
//
// Each check is proven in this package's tests to fail on the stub its notebook ships, to
// pass on a reference solution and to reject typical wrong answers; a test keeps the
// copies of stubs and solutions there equal to the notebooks'. Files are named after
// notebooks.
//
// check is the top of labkit's tiers: it may import any of them (core, measure, capstone),
// and no labkit package imports it (labkit/tiers_test.go enforces both).
package check
