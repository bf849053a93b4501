package check

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Rater is what notebook 03's rate_cache exercise builds: a cache that loads each
// currency pair's rate on first use.
type Rater interface {
	Rate(pair string) float64
}

// RateCache checks notebook 03's exercise: caches made by newCache(load) must call load
// once per pair however many goroutines ask for it at once, give every caller the loaded
// rate (callers that arrive during the load wait for it), and let loads of different pairs
// run at the same time, so a slow pair does not hold up the others.
//
// It runs on real time, not in a synctest bubble: the likeliest wrong answer holds a
// sync.Mutex across the load, and a goroutine waiting for a mutex stops a bubble's clock.
// Every wait is bounded by coordGrace, and the verdict does not depend on speed.
func RateCache(t testing.TB, newCache func(load func(pair string) float64) Rater) {
	t.Helper()
	if err := checkRateCache(newCache); err != nil {
		t.Fatal(err)
	}
}

var nb03Rates = map[string]float64{"EURUSD": 1.08, "GBPUSD": 1.27}

// rateCallers is how many goroutines ask for each pair at once.
const rateCallers = 8

// rateMargin is how long a load lingers after every caller is inside Rate, so that each
// one reaches its cache lookup while the load still runs.
const rateMargin = 100 * time.Millisecond

func checkRateCache(newCache func(load func(pair string) float64) Rater) error {
	if newCache == nil {
		return errors.New("newCache is nil")
	}
	var (
		mu      sync.Mutex
		loads   = map[string]int{}
		entered atomic.Int32 // callers that have called Rate
		running atomic.Int32 // loads running now
		overlap atomic.Bool  // two loads ran at once
	)
	load := func(pair string) float64 {
		mu.Lock()
		loads[pair]++
		mu.Unlock()
		if running.Add(1) > 1 {
			overlap.Store(true)
		}
		defer running.Add(-1)
		// Wait for every caller to be inside Rate, and for the other pair's load to start.
		deadline := time.Now().Add(coordGrace)
		for time.Now().Before(deadline) && (entered.Load() < 2*rateCallers || !overlap.Load()) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(rateMargin)
		return nb03Rates[pair]
	}
	cache := newCache(load)
	if cache == nil {
		return errors.New("newCache returned nil")
	}

	type answer struct {
		pair string
		rate float64
	}
	answers := make(chan answer, 2*rateCallers)
	var callers sync.WaitGroup
	for _, pair := range []string{"EURUSD", "GBPUSD"} {
		for range rateCallers {
			callers.Go(func() {
				entered.Add(1)
				answers <- answer{pair, cache.Rate(pair)}
			})
		}
	}
	if !waitGroupWithin(&callers, 4*coordGrace+rateMargin*2*rateCallers) {
		return errors.New("Rate never returned for some callers: is a mutex locked and not unlocked on some path (use defer), or does a caller wait for a load that never finishes?")
	}
	close(answers)
	for a := range answers {
		want := nb03Rates[a.pair]
		switch {
		case a.rate == want:
		case a.rate == 0:
			return fmt.Errorf("Rate(%q) returned 0 while %d goroutines asked at once; want %v: a caller that arrives while the pair loads must wait for that load and get its result", a.pair, rateCallers, want)
		case a.rate == nb03Rates["EURUSD"] || a.rate == nb03Rates["GBPUSD"]:
			return fmt.Errorf("Rate(%q) returned %v, the other pair's rate; want %v: each pair needs its own load (one sync.Once for the whole cache runs only the first pair's)", a.pair, a.rate, want)
		default:
			return fmt.Errorf("Rate(%q) returned %v; want %v, what load returned", a.pair, a.rate, want)
		}
	}
	mu.Lock()
	counts := fmt.Sprint(loads)
	many := []string{}
	for pair, n := range loads {
		if n != 1 {
			many = append(many, pair)
		}
	}
	mu.Unlock()
	sort.Strings(many)
	if len(many) > 0 {
		return fmt.Errorf("with %d goroutines asking for each pair at once, load ran %s; want once per pair: every caller that found no rate started its own load (check-then-load); give each pair one sync.OnceValue and let all its callers call that", rateCallers, counts)
	}
	if !overlap.Load() {
		return fmt.Errorf("the loads of EURUSD and GBPUSD never ran at the same time: a mutex held while load runs makes every pair wait for the slowest; hold it only to find or store the pair's entry, and load outside it")
	}
	for _, pair := range []string{"EURUSD", "GBPUSD"} {
		if got := cache.Rate(pair); got != nb03Rates[pair] {
			return fmt.Errorf("a later Rate(%q) returned %v, want %v", pair, got, nb03Rates[pair])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if loads["EURUSD"] != 1 || loads["GBPUSD"] != 1 {
		return fmt.Errorf("asking again after the first loads ran load again (loads: %v): keep what was loaded", loads)
	}
	return nil
}
