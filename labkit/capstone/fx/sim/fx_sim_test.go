package sim

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

// A strategy that misuses the desk makes Run fail, saying how; it is never reported as a
// complete run.
func TestRunCatchesBrokenStrategies(t *testing.T) {
	handleAll := func(ctx context.Context, orders []fx.Order, d *Desk, skip int, twice bool, price bool) error {
		for _, o := range orders {
			if err := d.Arrive(ctx, o); err != nil {
				return err
			}
			if o.ID == skip {
				continue
			}
			if price {
				d.Price(o)
			}
			d.Record(fx.Decide(o))
			if twice && o.ID == 3 {
				d.Record(fx.Decide(o))
			}
		}
		return nil
	}
	cases := []struct {
		name    string
		s       Strategy
		wantErr string
	}{
		{"nil", nil, "strategy is nil"},
		{"loses an order", func(ctx context.Context, os []fx.Order, d *Desk) error { return handleAll(ctx, os, d, 5, false, true) }, "orders lost"},
		{"decides twice", func(ctx context.Context, os []fx.Order, d *Desk) error { return handleAll(ctx, os, d, -1, true, true) }, "order 3 decided twice"},
		{"never prices", func(ctx context.Context, os []fx.Order, d *Desk) error {
			return handleAll(ctx, os, d, -1, false, false)
		}, "without being priced"},
		{"unknown order", func(ctx context.Context, os []fx.Order, d *Desk) error {
			d.Record(fx.Decision{OrderID: len(os)})
			return handleAll(ctx, os, d, -1, false, true)
		}, "not one of this run's"},
		{"strategy error", func(context.Context, []fx.Order, *Desk) error { return errBoom }, "boom"},
	}
	for _, c := range cases {
		_, err := Run(context.Background(), small(), c.name, c.s)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: Run = %v, want an error containing %q", c.name, err, c.wantErr)
		}
	}
	// The same loop without a fault is a complete run.
	r, err := Run(context.Background(), small(), "ok", func(ctx context.Context, os []fx.Order, d *Desk) error { return handleAll(ctx, os, d, -1, false, true) })
	if err != nil || r.Decided() != small().Orders || r.MaxInFlight != 1 || r.Name != "ok" {
		t.Fatalf("a correct loop: %v, %v", r, err)
	}
}

// Pricing does the work it is asked for: CPUIters iterations of workload.SpinIters from
// each order's ID+1, summed into PriceChecksum over decided orders.
func TestPriceChecksumIsTheLoopsResult(t *testing.T) {
	cfg := small()
	cfg.CPU, cfg.CPUIters = 0, 1000
	var want uint64
	for i := range cfg.Orders {
		x, err := workload.SpinIters(context.Background(), cfg.CPUIters, uint64(i)+1)
		if err != nil {
			t.Fatal(err)
		}
		want += x
	}
	r, err := Run(context.Background(), cfg, "loop", func(ctx context.Context, os []fx.Order, d *Desk) error {
		for _, o := range os {
			if err := d.Arrive(ctx, o); err != nil {
				return err
			}
			d.Price(o)
			d.Price(o) // a second Price does no more work
			d.Record(fx.Decide(o))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.PriceChecksum != want || r.PriceIters != cfg.CPUIters {
		t.Fatalf("price checksum %x over %d iterations, want %x over %d", r.PriceChecksum, r.PriceIters, want, cfg.CPUIters)
	}
	if r.NsPerIter() <= 0 {
		t.Errorf("NsPerIter = %v", r.NsPerIter())
	}
}

func TestHistogram(t *testing.T) {
	lat := []time.Duration{0, time.Millisecond, 1999 * time.Microsecond, 2 * time.Millisecond, 7 * time.Millisecond, time.Second}
	labels, counts, err := histogram(lat, 8*time.Millisecond, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{3, 1, 0, 2}; !slices.Equal(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if want := []string{"0s-2ms", "2ms-4ms", "4ms-6ms", "≥6ms"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	for _, bad := range []struct {
		hi time.Duration
		n  int
	}{{time.Millisecond, 0}, {0, 3}, {-time.Second, 3}, {2, 5}} {
		if _, _, err := histogram(lat, bad.hi, bad.n); err == nil {
			t.Errorf("histogram(hi=%v, n=%d) accepted", bad.hi, bad.n)
		}
	}
}

// never is a strategy for runs that must fail before it is called.
func never(t *testing.T) Strategy {
	return func(context.Context, []fx.Order, *Desk) error {
		t.Error("strategy called despite an invalid config")
		return nil
	}
}

var errBoom = errors.New("boom")

// small is quick under every strategy: about 60 orders of sub-millisecond work.
func small() fx.Config {
	return fx.Config{
		Seed:    42,
		Pairs:   3,
		Orders:  60,
		Latency: fx.UniformLatency(100*time.Microsecond, time.Millisecond),
		CPU:     20 * time.Microsecond,
		Workers: 4,
	}
}

func TestRunRejectsAnInvalidConfig(t *testing.T) {
	cfg := small()
	cfg.Orders = 0
	if _, err := Run(context.Background(), cfg, "any", never(t)); !errors.Is(err, fx.ErrConfig) {
		t.Errorf("Run = %v, want ErrConfig", err)
	}
}
