package sim

import (
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timing"
)

// histogram counts latencies into n equal buckets over [0, hi), the last bucket also
// holding everything at or above hi. It returns one label per bucket (e.g. "2ms-4ms",
// "≥8ms") and the counts as float64, ready for a chart.Bar. Use the same hi and n for
// every strategy so that their bars line up.
func histogram(latencies []time.Duration, hi time.Duration, n int) (labels []string, counts []float64, err error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("sim: HistogramChart: n = %d, want >= 1", n)
	}
	if hi <= 0 {
		return nil, nil, fmt.Errorf("sim: HistogramChart: hi = %v, want > 0", hi)
	}
	width := hi / time.Duration(n)
	if width <= 0 {
		return nil, nil, fmt.Errorf("sim: HistogramChart: hi = %v is too small for %d buckets", hi, n)
	}
	labels = make([]string, n)
	counts = make([]float64, n)
	for i := range n - 1 {
		labels[i] = fmt.Sprintf("%v-%v", timing.Round(time.Duration(i)*width), timing.Round(time.Duration(i+1)*width))
	}
	labels[n-1] = fmt.Sprintf("≥%v", timing.Round(time.Duration(n-1)*width))
	for _, l := range latencies {
		b := min(int(max(l, 0)/width), n-1)
		counts[b]++
	}
	return labels, counts, nil
}
