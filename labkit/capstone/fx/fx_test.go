package fx

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// small is quick under every strategy: about 60 orders of sub-millisecond work.
func small() Config {
	return Config{
		Seed:    42,
		Pairs:   3,
		Orders:  60,
		Latency: UniformLatency(100*time.Microsecond, time.Millisecond),
		CPU:     20 * time.Microsecond,
		Workers: 4,
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Config)
	}{
		{"Pairs", func(c *Config) { c.Pairs = 0 }},
		{"Pairs", func(c *Config) { c.Pairs = len(AllPairs()) + 1 }},
		{"Orders", func(c *Config) { c.Orders = 0 }},
		{"Orders", func(c *Config) { c.Orders = -5 }},
		{"Interval", func(c *Config) { c.Interval = -time.Millisecond }},
		{"CPU", func(c *Config) { c.CPU = -1 }},
		{"CPU", func(c *Config) { c.CPU = 2 * MaxCPU }},
		{"CPUIters", func(c *Config) { c.CPUIters = -1 }},
		{"CPUIters", func(c *Config) { c.CPUIters = MaxIters + 1 }},
		{"CPUIters", func(c *Config) { c.CPUIters = 10 }}, // CPU is set too
		{"Workers", func(c *Config) { c.Workers = 0 }},
		{"Workers", func(c *Config) { c.Workers = -3 }},
		{"Latency.Min", func(c *Config) { c.Latency = FixedLatency(-time.Millisecond) }},
		{"Latency.Mean", func(c *Config) { c.Latency = ExpLatency(0, -time.Millisecond) }},
		{"Latency.Max", func(c *Config) { c.Latency = UniformLatency(2*time.Millisecond, time.Millisecond) }},
		{"Latency.Max", func(c *Config) { c.Latency = Latency{Dist: Fixed, Max: MaxLatency + 1} }},
		{"Latency.Dist", func(c *Config) { c.Latency.Dist = Dist(9) }},
	}
	for _, tc := range cases {
		cfg := small()
		tc.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.field+" ") {
			t.Errorf("%s: Validate() = %v, want an ErrConfig naming %q", tc.field, err, tc.field)
		}
		if _, err := Generate(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Generate = %v, want ErrConfig", tc.field, err)
		}
	}
	if err := small().Validate(); err != nil {
		t.Fatalf("small() is invalid: %v", err)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := small()
	cfg.Orders = 500
	cfg.Interval = time.Millisecond
	cfg.Latency = ExpLatency(time.Millisecond, 2*time.Millisecond)
	a, _ := Generate(cfg)
	b, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatal("the same Config generated different orders")
	}
	other := cfg
	other.Seed++
	c, _ := Generate(other)
	if slices.Equal(a, c) {
		t.Fatal("different seeds generated the same orders")
	}

	// The market must not depend on latency or pacing, so that an experiment changing
	// only those compares the same trades.
	paced := cfg
	paced.Interval, paced.Latency = 0, FixedLatency(0)
	d, _ := Generate(paced)
	for i := range a {
		x, y := a[i], d[i]
		x.Quote.Offset, x.Latency, y.Quote.Offset, y.Latency = 0, 0, 0, 0
		if x != y {
			t.Fatalf("order %d changed with latency/pacing: %+v vs %+v", i, a[i], d[i])
		}
	}
}

func TestGenerateMarketShape(t *testing.T) {
	cfg := small()
	cfg.Pairs = len(AllPairs())
	cfg.Orders = 2000
	orders, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pairsSeen := map[int]bool{}
	outcomes := map[Outcome]int{}
	for i, o := range orders {
		if o.ID != i {
			t.Fatalf("order %d has ID %d", i, o.ID)
		}
		q := o.Quote
		if q.Pair < 0 || q.Pair >= cfg.Pairs || q.Bid <= 0 || q.Ask <= q.Bid || q.Offset != 0 {
			t.Fatalf("bad quote in order %d: %+v", i, q)
		}
		if o.Lots < 1 || (o.Lots > 10 && o.Lots != fatFingerLots) {
			t.Fatalf("order %d: %d lots", i, o.Lots)
		}
		if o.Latency < cfg.Latency.Min || o.Latency > cfg.Latency.Max {
			t.Fatalf("order %d: latency %v outside [%v, %v]", i, o.Latency, cfg.Latency.Min, cfg.Latency.Max)
		}
		pairsSeen[q.Pair] = true
		outcomes[Decide(o).Outcome]++
	}
	if len(pairsSeen) != cfg.Pairs {
		t.Errorf("%d of %d pairs quoted", len(pairsSeen), cfg.Pairs)
	}
	// Every outcome should happen, with fills the large majority.
	if outcomes[RejectedSize] == 0 || outcomes[RejectedSpread] == 0 || outcomes[Filled] < cfg.Orders*3/4 {
		t.Errorf("outcomes %v: want some of each kind and mostly fills", outcomes)
	}
}

func TestDecide(t *testing.T) {
	all := AllPairs()
	all[0].BaseSpread = 1000 // a copy: the session's table must not change
	eur := AllPairs()[0]
	if eur.Name != "EURUSD" || eur.BaseSpread != 6 {
		t.Fatalf("AllPairs()[0] = %+v, want EURUSD with a base spread of 6: the table changed", eur)
	}
	base := Order{ID: 3, Quote: Quote{Pair: 0, Bid: 108497, Ask: 108497 + eur.BaseSpread}, Side: Buy, Lots: 2}
	if d := Decide(base); d != (Decision{OrderID: 3, Outcome: Filled, Price: base.Quote.Ask}) {
		t.Errorf("buy: %+v", d)
	}
	sell := base
	sell.Side = Sell
	if d := Decide(sell); d.Price != base.Quote.Bid {
		t.Errorf("sell filled at %d, want the bid %d", d.Price, base.Quote.Bid)
	}
	big := base
	big.Lots = MaxLots + 1
	if d := Decide(big); d.Outcome != RejectedSize || d.Price != 0 {
		t.Errorf("oversize: %+v", d)
	}
	wide := base
	wide.Quote.Ask = wide.Quote.Bid + MaxSpreadFactor*eur.BaseSpread + 1
	if d := Decide(wide); d.Outcome != RejectedSpread {
		t.Errorf("wide: %+v", d)
	}
	wide.Quote.Ask--
	if d := Decide(wide); d.Outcome != Filled {
		t.Errorf("spread exactly at the limit should fill: %+v", d)
	}
}

func TestLatencyDistributions(t *testing.T) {
	const n = 5000
	draw := func(l Latency) []time.Duration {
		cfg := small()
		cfg.Orders, cfg.Latency = n, l
		orders, err := Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]time.Duration, n)
		for i, o := range orders {
			out[i] = o.Latency
		}
		return out
	}
	mean := func(ds []time.Duration) time.Duration {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return s / time.Duration(len(ds))
	}
	for _, d := range draw(FixedLatency(3 * time.Millisecond)) {
		if d != 3*time.Millisecond {
			t.Fatalf("fixed latency drew %v", d)
		}
	}
	uni := draw(UniformLatency(time.Millisecond, 3*time.Millisecond))
	if lo, hi := slices.Min(uni), slices.Max(uni); lo < time.Millisecond || hi > 3*time.Millisecond {
		t.Errorf("uniform drew outside [1ms, 3ms]: %v..%v", lo, hi)
	}
	if m := mean(uni); m < 1900*time.Microsecond || m > 2100*time.Microsecond {
		t.Errorf("uniform mean %v, want about 2ms", m)
	}
	exp := draw(ExpLatency(time.Millisecond, 2*time.Millisecond))
	if lo := slices.Min(exp); lo < time.Millisecond {
		t.Errorf("exponential drew %v below its floor", lo)
	}
	if m := mean(exp); m < 2800*time.Microsecond || m > 3200*time.Microsecond {
		t.Errorf("exponential mean %v, want about 1ms + 2ms", m)
	}
	if hi := slices.Max(exp); hi < 8*time.Millisecond {
		t.Errorf("exponential max %v: the tail is missing", hi)
	}
}

func TestChecksumIgnoresOrder(t *testing.T) {
	ds := []Decision{{0, Filled, 108503}, {1, RejectedSize, 0}, {2, Filled, 151250}}
	rev := slices.Clone(ds)
	slices.Reverse(rev)
	if Checksum(ds) != Checksum(rev) {
		t.Error("Checksum depends on order")
	}
	changed := slices.Clone(ds)
	changed[2].Price++
	if Checksum(ds) == Checksum(changed) {
		t.Error("Checksum missed a price change")
	}
}

func TestFormatting(t *testing.T) {
	if got := FormatPrice(108503, 5); got != "1.08503" {
		t.Errorf("FormatPrice = %q", got)
	}
	if got := FormatPrice(151250, 3); got != "151.250" {
		t.Errorf("FormatPrice = %q", got)
	}
	o := Order{ID: 7, Quote: Quote{Pair: 1, Bid: 151245, Ask: 151254}, Side: Sell, Lots: 3}
	if got := o.String(); got != "#7 sell 3 USDJPY @ 151.245" {
		t.Errorf("Order.String = %q", got)
	}
	if got := (Quote{Offset: time.Second}).Time(); !got.Equal(time.Date(2026, 1, 5, 8, 0, 1, 0, time.UTC)) {
		t.Errorf("Quote.Time = %v", got)
	}
}
