// Package check judges the notebooks' exercises: a notebook's %test cell hands the
// reader's code to a function here, which fails the test with a message that says what to
// fix.
//
// Checks look at behaviour (results, ordering, whether work overlapped, whether goroutines
// were left behind), never at speed, so they give the same verdict on a laptop and on a
// busy CI machine. Each check is proven in this package's tests to fail on the stub its
// notebook ships and to pass on a reference solution. Files are named after notebooks.
package check
