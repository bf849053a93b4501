package contention

import (
	"sync"
	"sync/atomic"
)

// Primitives returns the four ways notebook 03 compares to protect one shared counter,
// each as a Case whose op increments (or, for the RWMutex, reads) it once:
//
//   - "mutex": [sync.Mutex] Lock, n++, Unlock
//   - "rwmutex-read": [sync.RWMutex] RLock, read n, RUnlock (readers only, the case it exists for)
//   - "atomic": [atomic.Int64.Add]
//   - "channel": a 1-slot channel used as a lock around n++
func Primitives() []Case {
	return []Case{
		{Name: "mutex", New: func() func() {
			var mu sync.Mutex
			n := 0
			return func() {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}},
		{Name: "rwmutex-read", New: func() func() {
			var mu sync.RWMutex
			n := 0
			var sink atomic.Int64
			return func() {
				mu.RLock()
				v := n
				mu.RUnlock()
				if v < 0 { // never true; keeps the read from being optimised away
					sink.Add(1)
				}
			}
		}},
		{Name: "atomic", New: func() func() {
			var n atomic.Int64
			return func() { n.Add(1) }
		}},
		{Name: "channel", New: func() func() {
			sem := make(chan struct{}, 1)
			n := 0
			return func() {
				sem <- struct{}{}
				n++
				<-sem
			}
		}},
	}
}
