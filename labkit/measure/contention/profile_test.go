package contention

import (
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdWhileOthersWait makes waiters goroutines queue for one mutex that holdLock keeps for
// hold, so both profiles must record waiting at known functions.
func holdWhileOthersWait(waiters int, hold time.Duration) {
	var mu sync.Mutex
	var started sync.WaitGroup
	mu.Lock()
	var wg sync.WaitGroup
	for range waiters {
		started.Add(1)
		wg.Go(func() { started.Done(); waitForLock(&mu) })
	}
	started.Wait()
	time.Sleep(hold)
	releaseLock(&mu)
	wg.Wait()
}

//go:noinline
//lint:ignore SA2001 the point is the wait for the lock, not a critical section
func waitForLock(mu *sync.Mutex) { mu.Lock(); mu.Unlock() }

//go:noinline
func releaseLock(mu *sync.Mutex) { mu.Unlock() }

func TestSitesNamesWhereGoroutinesWaited(t *testing.T) {
	prevFraction := runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	defer runtime.SetMutexProfileFraction(prevFraction)
	defer runtime.SetBlockProfileRate(0)

	holdWhileOthersWait(3, 20*time.Millisecond)

	block, err := Sites(pprof.Lookup("block"))
	if err != nil {
		t.Fatal(err)
	}
	site := find(block, "contention.waitForLock")
	if site == nil {
		t.Fatalf("block profile: no site in waitForLock among %v", block)
	}
	if site.Count < 1 || site.Delay <= 0 || !strings.HasPrefix(site.Where, "profile_test.go:") {
		t.Errorf("block profile: waitForLock site %+v, want events, a delay and this file", *site)
	}
	mutex, err := Sites(pprof.Lookup("mutex"))
	if err != nil {
		t.Fatal(err)
	}
	if find(mutex, "contention.releaseLock") == nil {
		t.Fatalf("mutex profile: no site in releaseLock (the holder's Unlock) among %v", mutex)
	}
	for i := 1; i < len(block); i++ {
		if block[i].Delay > block[i-1].Delay {
			t.Fatalf("sites not sorted by delay: %v", block)
		}
	}
}

func find(sites []Site, suffix string) *Site {
	for i := range sites {
		if strings.HasSuffix(sites[i].Func, suffix) {
			return &sites[i]
		}
	}
	return nil
}

func TestSitesRejectsOtherProfiles(t *testing.T) {
	for _, p := range []*pprof.Profile{nil, pprof.Lookup("goroutine"), pprof.Lookup("heap")} {
		if _, err := Sites(p); err == nil || !strings.HasPrefix(err.Error(), "contention: ") {
			t.Errorf("Sites(%v) = %v, want a contention: error", p, err)
		}
	}
}

func TestParseSites(t *testing.T) {
	const text = "--- mutex:\ncycles/second=1000000000\nsampling period=1\n" +
		"3000000 2 @ 0x1 0x2 0x3\n" +
		"#\t0x1\tsync.(*Mutex).Unlock+0x3e\t/go/src/sync/mutex.go:65\n" +
		"#\t0x2\tmain.(*Bank).Deposit+0x50\t/tmp/x/main.go:12\n" +
		"#\t0x3\tmain.main.func1+0x10\t/tmp/x/main.go:30\n\n" +
		"1000000 1 @ 0x1 0x2 0x4\n" +
		"#\t0x1\tsync.(*Mutex).Unlock+0x3e\t/go/src/sync/mutex.go:65\n" +
		"#\t0x2\tmain.(*Bank).Deposit+0x50\t/tmp/x/main.go:12\n" +
		"#\t0x4\tmain.other+0x10\t/tmp/x/main.go:40\n\n" +
		"5000000 1 @ 0x5\n" +
		"#\t0x5\tmain.slow+0x1\t/tmp/x/other.go:7\n"
	got, err := parseSites(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{Func: "main.slow", Where: "other.go:7", Delay: 5 * time.Millisecond, Count: 1},
		{Func: "main.(*Bank).Deposit", Where: "main.go:12", Delay: 4 * time.Millisecond, Count: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("site %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := want[0].String(); got != "main.slow (other.go:7): 5ms waited in 1 event" {
		t.Errorf("String() = %q", got)
	}
	if got := want[1].String(); got != "main.(*Bank).Deposit (main.go:12): 4ms waited in 3 events" {
		t.Errorf("String() = %q", got)
	}
	if _, err := parseSites("1 1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n"); err == nil {
		t.Error("a profile without its cycles/second header parsed")
	}
	if _, err := parseSites("cycles/second=x\n"); err == nil {
		t.Error("a bad header parsed")
	}
}
