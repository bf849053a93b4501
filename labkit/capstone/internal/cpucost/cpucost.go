// Package cpucost turns CPU time measured around a load into what a reader compares:
// CPU time per operation and cores kept busy. [echoproc] (messages echoed) and [httpcost]
// (requests answered) share it, so the two notebooks' numbers mean the same thing.
//
// [echoproc]: github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc
// [httpcost]: github.com/go-concurrency-lab/lab/labkit/capstone/httpcost
package cpucost

import "time"

// PerOp is cpu divided among n operations; 0 when there were none.
func PerOp[N int | int64](cpu time.Duration, n N) time.Duration {
	if n == 0 {
		return 0
	}
	return cpu / time.Duration(n)
}

// Cores is how many cores cpu kept busy on average over wall; 0 when wall is not positive.
func Cores(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds()
}
