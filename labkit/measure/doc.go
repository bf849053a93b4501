// Package measure is the directory of labkit's measurement tools, the middle tier between
// the core (timing, workload, timeline, chart) and the capstone machinery: speedup,
// contention, sampler, goroutines, sandbox, pybaseline and schedtrace. It has no API of
// its own. Its packages import the core and each other, never capstone or check.
package measure
