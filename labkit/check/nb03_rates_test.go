package check

import (
	"strings"
	"sync"
	"testing"
)

// The stub notebook 03 ships (exercise "rate_cache"): look up under the lock, load outside
// it, store under it. Safe, but every caller that misses loads.
type checkThenLoadCache struct {
	load  func(pair string) float64
	mu    sync.Mutex
	rates map[string]float64
}

func (c *checkThenLoadCache) Rate(pair string) float64 {
	c.mu.Lock()
	rate, ok := c.rates[pair]
	c.mu.Unlock()
	if ok {
		return rate
	}
	rate = c.load(pair)
	c.mu.Lock()
	c.rates[pair] = rate
	c.mu.Unlock()
	return rate
}

// The reference solution (notebooks/solutions/03_locks_and_atomics/rate_cache.gocell).
type onceRateCache struct {
	load  func(pair string) float64
	mu    sync.Mutex
	rates map[string]func() float64
}

func (c *onceRateCache) Rate(pair string) float64 {
	c.mu.Lock()
	get, ok := c.rates[pair]
	if !ok {
		get = sync.OnceValue(func() float64 { return c.load(pair) })
		c.rates[pair] = get
	}
	c.mu.Unlock()
	return get()
}

// Wrong: one mutex held across the load: loads once per pair, but one pair at a time.
type lockedLoadCache struct {
	load  func(pair string) float64
	mu    sync.Mutex
	rates map[string]float64
}

func (c *lockedLoadCache) Rate(pair string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	rate, ok := c.rates[pair]
	if !ok {
		rate = c.load(pair)
		c.rates[pair] = rate
	}
	return rate
}

// Wrong: one sync.Once for the whole cache, so only the first pair asked is ever loaded.
type oneOnceCache struct {
	load func(pair string) float64
	once sync.Once
	rate float64
}

func (c *oneOnceCache) Rate(pair string) float64 {
	c.once.Do(func() { c.rate = c.load(pair) })
	return c.rate
}

// Wrong: marks the pair as loading, and callers that come meanwhile get no rate (0).
type loadingFlagCache struct {
	load    func(pair string) float64
	mu      sync.Mutex
	loading map[string]bool
	rates   map[string]float64
}

func (c *loadingFlagCache) Rate(pair string) float64 {
	c.mu.Lock()
	if c.loading[pair] {
		rate := c.rates[pair]
		c.mu.Unlock()
		return rate
	}
	c.loading[pair] = true
	c.mu.Unlock()
	rate := c.load(pair)
	c.mu.Lock()
	c.rates[pair] = rate
	c.mu.Unlock()
	return rate
}

func TestRateCacheVerdicts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		newCache func(load func(string) float64) Rater
		wantErr  string
	}{
		{"stub (check, then load)", func(load func(string) float64) Rater {
			return &checkThenLoadCache{load: load, rates: map[string]float64{}}
		}, "once per pair"},
		{"solution", func(load func(string) float64) Rater {
			return &onceRateCache{load: load, rates: map[string]func() float64{}}
		}, ""},
		{"mutex held across the load", func(load func(string) float64) Rater {
			return &lockedLoadCache{load: load, rates: map[string]float64{}}
		}, "never ran at the same time"},
		{"one Once for every pair", func(load func(string) float64) Rater {
			return &oneOnceCache{load: load}
		}, "the other pair's rate"},
		{"callers during the load get 0", func(load func(string) float64) Rater {
			return &loadingFlagCache{load: load, loading: map[string]bool{}, rates: map[string]float64{}}
		}, "returned 0"},
		{"nil", nil, "nil"},
		{"nil cache", func(func(string) float64) Rater { return nil }, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			verdict(t, checkRateCache(c.newCache), c.wantErr)
		})
	}
}

// Wrong: returns a cached rate without unlocking, so every later caller waits for ever.
type forgetsUnlockCache struct {
	load  func(pair string) float64
	mu    sync.Mutex
	rates map[string]float64
}

func (c *forgetsUnlockCache) Rate(pair string) float64 {
	c.mu.Lock()
	if rate, ok := c.rates[pair]; ok {
		return rate
	}
	rate := c.load(pair)
	c.rates[pair] = rate
	c.mu.Unlock()
	return rate
}

func init() {
	childStubs["nb03-rate-forgets-unlock"] = func() error {
		return checkRateCache(func(load func(string) float64) Rater {
			return &forgetsUnlockCache{load: load, rates: map[string]float64{}}
		})
	}
}

// Its callers stay blocked on the mutex, so the verdict is taken in a child process.
func TestRateCacheReportsAStuckMutex(t *testing.T) {
	t.Parallel()
	errText, passed := verdictInChild(t, "nb03-rate-forgets-unlock")
	if passed || !strings.Contains(errText, "never returned") {
		t.Fatalf("want a verdict that Rate never returned, got passed=%v %q", passed, errText)
	}
}
