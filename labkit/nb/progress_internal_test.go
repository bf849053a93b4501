package nb

import (
	"strings"
	"sync"
	"testing"
)

func TestProgressTextPrintsEachTenthAndTheEnd(t *testing.T) {
	var out strings.Builder
	p := newProgress("rounds", 20)
	p.show = p.textTo(&out)
	p.show(0, false)
	for i := range 20 {
		p.report(i + 1)
	}
	p.report(25) // after the end: ignored
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "rounds: 0/20 (0%)" || lines[len(lines)-1] != "rounds: 20/20 (100%)" {
		t.Fatalf("first/last lines: %q", lines)
	}
	// report redraws at most every progressEvery, so not every tenth need appear, but no line repeats a tenth.
	if len(lines) > 12 {
		t.Fatalf("%d lines for 20 steps, want at most 12: %q", len(lines), lines)
	}
}

func TestProgressTakesConcurrentOutOfOrderReportsAndEndsOnce(t *testing.T) {
	p := newProgress("work", 100)
	var last, finals, shownAfterFinal int
	p.show = func(done int, final bool) {
		if finals > 0 {
			shownAfterFinal++
		}
		last = done
		if final {
			finals++
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 20; i >= 0; i-- { // out of order: high counts first
				p.report(g*20 + i)
			}
		})
	}
	wg.Wait()
	p.report(50) // lower than shown: ignored
	if last != 100 || finals != 1 || shownAfterFinal != 0 {
		t.Fatalf("final display showed %d (want 100, capped at the total), final shown %d times (want 1), %d redraws after it (want 0)", last, finals, shownAfterFinal)
	}
}

func TestProgressHTMLEscapesTheLabel(t *testing.T) {
	p := newProgress("<b>rounds</b>", 0) // a total below 1 counts as 1
	got := p.html(1)
	if strings.Contains(got, "<b>") || !strings.Contains(got, "1/1 (100%)") {
		t.Fatalf("html: %s", got)
	}
}
