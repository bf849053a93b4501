package contention

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Site is one place in the program where goroutines waited, as the mutex or block profile
// recorded it: the innermost function of a recorded stack that is not part of the runtime,
// the sync packages or runtime/pprof, with the waiting summed over every stack through it.
type Site struct {
	Func  string        // e.g. "main.(*Bank).Deposit"
	Where string        // the file's base name and line, e.g. "main.go:42"
	Delay time.Duration // total time goroutines spent waiting there, as recorded
	Count int64         // contention (mutex) or blocking (block) events recorded there
}

func (s Site) String() string {
	events := "events"
	if s.Count == 1 {
		events = "event"
	}
	return fmt.Sprintf("%s (%s): %v waited in %d %s", s.Func, s.Where, s.Delay.Round(time.Microsecond), s.Count, events)
}

// Sites reads p, this process's mutex or block profile (pprof.Lookup("mutex") or
// pprof.Lookup("block"), see [runtime/pprof.Profile]), and returns its call sites, the
// longest total delay first. The mutex profile credits a wait to the code that held the
// lock, where it called Unlock; the block profile to the code that waited, where it called
// Lock (or a channel operation, WaitGroup.Wait, ...).
//
// The profiles record nothing until a program turns them on with
// [runtime.SetMutexProfileFraction] or [runtime.SetBlockProfileRate], and they only ever
// grow, so measure two variants through different functions to tell them apart. Delays
// are as recorded: with a rate other than 1 they are a sample, not the total.
func Sites(p *pprof.Profile) ([]Site, error) {
	if p == nil {
		return nil, errors.New("contention: Sites: the profile is nil")
	}
	if p.Name() != "mutex" && p.Name() != "block" {
		return nil, fmt.Errorf("contention: Sites: the %q profile, want \"mutex\" or \"block\"", p.Name())
	}
	var text bytes.Buffer
	if err := p.WriteTo(&text, 1); err != nil {
		return nil, fmt.Errorf("contention: Sites: %w", err)
	}
	return parseSites(text.String())
}

// parseSites reads the debug=1 text form of a mutex or block profile: a header with the
// clock's cycles per second, then records "<cycles> <count> @ <pcs>" each followed by
// its frames "#\t<pc>\t<func>+<offset>\t<file>:<line>", innermost first.
func parseSites(text string) ([]Site, error) {
	var cyclesPerSecond float64
	byKey := map[string]*Site{}
	var cycles float64
	var count int64
	found := true // the current record's site is known (or there is no record yet)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "cycles/second="):
			v, err := strconv.ParseFloat(strings.TrimPrefix(line, "cycles/second="), 64)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("contention: Sites: bad header %q", line)
			}
			cyclesPerSecond = v
		case len(fields) >= 3 && fields[2] == "@":
			c, err1 := strconv.ParseFloat(fields[0], 64)
			n, err2 := strconv.ParseInt(fields[1], 10, 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("contention: Sites: bad record %q", line)
			}
			cycles, count, found = c, n, false
		case !found && len(fields) == 4 && fields[0] == "#":
			fn, _, _ := strings.Cut(fields[2], "+0x")
			if machinery(fn) {
				continue
			}
			found = true
			file, lineNo, _ := strings.Cut(fields[3], ":")
			where := path.Base(file) + ":" + lineNo
			s := byKey[fn+" "+where]
			if s == nil {
				s = &Site{Func: fn, Where: where}
				byKey[fn+" "+where] = s
			}
			if cyclesPerSecond > 0 {
				s.Delay += time.Duration(cycles / cyclesPerSecond * float64(time.Second))
			}
			s.Count += count
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("contention: Sites: %w", err)
	}
	if cyclesPerSecond == 0 && len(byKey) > 0 {
		return nil, fmt.Errorf("contention: Sites: the profile has no cycles/second header")
	}
	sites := make([]Site, 0, len(byKey))
	for _, s := range byKey {
		sites = append(sites, *s)
	}
	slices.SortFunc(sites, func(a, b Site) int {
		return cmp.Or(cmp.Compare(b.Delay, a.Delay), cmp.Compare(a.Func, b.Func), cmp.Compare(a.Where, b.Where))
	})
	return sites, nil
}

// machinery reports whether fn belongs to the code that does the waiting rather than the
// program that asked for it.
func machinery(fn string) bool {
	for _, p := range []string{"runtime.", "runtime/", "sync.", "internal/", "sync/"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}
