//go:build race

package echo_test

// raceEnabled reports whether the tests run under the race detector, which makes every
// round trip several times slower.
const raceEnabled = true
