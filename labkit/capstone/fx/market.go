package fx

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Pair is a currency pair and how it is quoted. Prices are integers in ticks
// (10^-Digits of the quote currency) so that every decision is exact and the
// Python baseline reproduces it bit for bit.
type Pair struct {
	Name       string
	Digits     int   // decimal places of one tick
	Mid        int64 // opening mid price, in ticks
	BaseSpread int64 // normal bid/ask spread, in ticks
}

// AllPairs returns the pairs a session may quote, in order; [Config].Pairs takes the
// first n. The Python baseline holds the same table.
func AllPairs() []Pair { return slices.Clone(pairs[:]) }

var pairs = [...]Pair{
	{"EURUSD", 5, 108500, 6},
	{"USDJPY", 3, 151250, 9},
	{"GBPUSD", 5, 126800, 10},
	{"AUDUSD", 5, 65400, 9},
	{"USDCHF", 5, 88200, 12},
	{"USDCAD", 5, 136100, 14},
	{"NZDUSD", 5, 59800, 16},
	{"EURJPY", 3, 164100, 18},
}

// epoch is the simulated time the session opens.
var epoch = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// Quote is one price update for a pair.
type Quote struct {
	Pair     int           // index into AllPairs()
	Bid, Ask int64         // in ticks
	Offset   time.Duration // when it arrives, after the run starts (all zero for a burst)
}

// Time is the quote's simulated timestamp: Offset after the session opens, at
// 2026-01-05 08:00 UTC.
func (q Quote) Time() time.Time { return epoch.Add(q.Offset) }

// Spread is Ask-Bid in ticks.
func (q Quote) Spread() int64 { return q.Ask - q.Bid }

// Side is Buy or Sell.
type Side int8

// Buy takes the ask; Sell hits the bid.
const (
	Buy Side = iota
	Sell
)

func (s Side) String() string {
	if s == Buy {
		return "buy"
	}
	return "sell"
}

// Order is what a strategy sends for one quote: take the quoted price for Lots lots
// of 100,000 units of the base currency.
type Order struct {
	ID      int // 0..Orders-1, the order the quotes arrived in
	Quote   Quote
	Side    Side
	Lots    int64
	Latency time.Duration // the gateway round trip this order will see if accepted
}

// Price is the price the order trades at: the ask for a buy, the bid for a sell.
func (o Order) Price() int64 {
	if o.Side == Buy {
		return o.Quote.Ask
	}
	return o.Quote.Bid
}

// String prints the order like a blotter line, e.g. "#3 buy 2 EURUSD @ 1.08503".
func (o Order) String() string {
	p := pairs[o.Quote.Pair]
	return fmt.Sprintf("#%d %s %d %s @ %s", o.ID, o.Side, o.Lots, p.Name, FormatPrice(o.Price(), p.Digits))
}

// FormatPrice prints a price in ticks with its decimal point, e.g. 108503, 5 → "1.08503".
func FormatPrice(ticks int64, digits int) string {
	scale := int64(math.Pow10(digits))
	return fmt.Sprintf("%d.%0*d", ticks/scale, digits, ticks%scale)
}

// Generate returns the session's orders, one per quote, in arrival order. It depends only
// on cfg: the same Config always yields the same orders, and the market (pairs, prices,
// sides, sizes) depends only on Seed, Pairs and Orders, so changing the latency or the
// pacing never changes what is traded.
func Generate(cfg Config) ([]Order, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	market := newRNG(cfg.Seed)
	timing := newRNG(cfg.Seed ^ timingSalt)
	mids := make([]int64, cfg.Pairs)
	for i := range mids {
		mids[i] = pairs[i].Mid
	}
	orders := make([]Order, cfg.Orders)
	var offset time.Duration
	for i := range orders {
		// The draw order below is part of the contract with the Python baseline.
		p := int(market.next() % uint64(cfg.Pairs))
		mids[p] += int64(market.next()%7) - 3 // random walk, ±3 ticks
		spread := pairs[p].BaseSpread + int64(market.next()%3)
		if market.next()%100 < wideMarketPct {
			spread *= 4 // news: the market widens
		}
		side := Side(market.next() & 1)
		lots := 1 + int64(market.next()%10)
		if market.next()%100 < fatFingerPct {
			lots = fatFingerLots
		}
		bid := mids[p] - spread/2
		if cfg.Interval > 0 {
			offset += time.Duration(timing.exp(float64(cfg.Interval)))
		}
		orders[i] = Order{
			ID:      i,
			Quote:   Quote{Pair: p, Bid: bid, Ask: bid + spread, Offset: offset},
			Side:    side,
			Lots:    lots,
			Latency: cfg.Latency.draw(timing),
		}
	}
	return orders, nil
}

const (
	timingSalt    = 0x7f4a7c159e3779b9
	wideMarketPct = 8
	fatFingerPct  = 4
	fatFingerLots = 50
	// MaxLots is the risk limit on order size; bigger orders are rejected.
	MaxLots = 20
	// MaxSpreadFactor rejects orders when the spread is wider than this many times
	// the pair's BaseSpread: the price is stale or the market is in turmoil.
	MaxSpreadFactor = 3
)

func (l Latency) draw(r *rng) time.Duration {
	switch l.Dist {
	case Uniform:
		return l.Min + time.Duration(r.float()*float64(l.Max-l.Min))
	case Exponential:
		return l.Min + time.Duration(r.exp(float64(l.Mean)))
	}
	return l.Min
}

// rng is splitmix64: tiny, fast, and easy to reproduce exactly in Python.
type rng struct{ state uint64 }

func newRNG(seed uint64) *rng { return &rng{state: seed} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return fmix(r.state)
}

// fmix is splitmix64's output function, also used to digest decisions.
func fmix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// exp returns an exponential value with the given mean.
func (r *rng) exp(mean float64) float64 { return -math.Log(1-r.float()) * mean }
