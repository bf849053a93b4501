package fx

// Outcome is what happened to an order.
type Outcome int8

const (
	// Filled: the order passed risk and the gateway confirmed it at Order.Price.
	Filled Outcome = iota
	// RejectedSize: more than MaxLots lots (a "fat finger"); never sent to the gateway.
	RejectedSize
	// RejectedSpread: the spread was wider than MaxSpreadFactor times normal; never sent.
	RejectedSpread
)

func (o Outcome) String() string {
	switch o {
	case Filled:
		return "filled"
	case RejectedSize:
		return "rejected-size"
	case RejectedSpread:
		return "rejected-spread"
	}
	return "unknown"
}

// Decision is the final state of one order. Decisions depend only on the order, never
// on timing, so every strategy reaches the same ones.
type Decision struct {
	OrderID int
	Outcome Outcome
	Price   int64 // fill price in ticks; 0 unless Filled
}

// Decide applies the risk checks to o. It is the whole of the simulated risk engine:
// pure, cheap, and the same in the Python baseline.
func Decide(o Order) Decision {
	d := Decision{OrderID: o.ID, Outcome: Filled, Price: o.Price()}
	switch {
	case o.Lots > MaxLots:
		d.Outcome, d.Price = RejectedSize, 0
	case o.Quote.Spread() > MaxSpreadFactor*pairs[o.Quote.Pair].BaseSpread:
		d.Outcome, d.Price = RejectedSpread, 0
	}
	return d
}

// Checksum is an order-independent fingerprint of a set of decisions: equal sets give
// equal checksums whatever order they completed in. The Python baseline computes the same
// sum, so a Go run and a Python run of one Config can be compared.
func Checksum(ds []Decision) uint64 {
	var sum uint64
	for _, d := range ds {
		sum += fmix(uint64(d.OrderID)<<32 ^ uint64(d.Price)<<2 ^ uint64(d.Outcome))
	}
	return sum
}
