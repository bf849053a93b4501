package load_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
)

// fakeServer serves every connection with handle on a loopback port until the test ends.
func fakeServer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// echoLines echoes each line through edit (which may change it) until the peer leaves.
func echoLines(edit func(n int, line string) string) func(net.Conn) {
	return func(c net.Conn) {
		r := bufio.NewReader(c)
		for n := 0; ; n++ {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if _, err := io.WriteString(c, edit(n, line)); err != nil {
				return
			}
		}
	}
}

func checkSums(t *testing.T, r load.Report) {
	t.Helper()
	if r.Echoed+r.Corrupted+r.Lost+r.Unsent != r.Planned || r.Planned != int64(r.Clients*r.Messages) {
		t.Errorf("counts do not add up: %+v", r)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		addr string
		cfg  load.Config
		want string
	}{
		{"127.0.0.1:1", load.Config{Clients: 0, Messages: 1}, "Clients"},
		{"127.0.0.1:1", load.Config{Clients: -3, Messages: 1}, "Clients"},
		{"127.0.0.1:1", load.Config{Clients: 1, Messages: -1}, "Messages"},
		{"127.0.0.1:1", load.Config{Clients: 1, Messages: 1, PayloadBytes: -1}, "PayloadBytes"},
		{"127.0.0.1:1", load.Config{Clients: 1, Messages: 1, Payload: []byte("two\nlines")}, "Payload"},
		{"", load.Config{Clients: 1, Messages: 1}, "addr"},
	}
	for _, tt := range tests {
		_, err := load.Run(context.Background(), tt.addr, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%q, %+v) error = %v, want one naming %s", tt.addr, tt.cfg, err, tt.want)
		}
	}
}

func TestRunAgainstAGoodServer(t *testing.T) {
	addr := fakeServer(t, echoLines(func(_ int, line string) string { return line }))
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 8, Messages: 50, PayloadBytes: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, r)
	if !r.OK() || r.Echoed != 400 || r.FailedClients != 0 || r.Throughput <= 0 {
		t.Errorf("report %+v: want all 400 echoed", r)
	}
	if !(0 < r.P50 && r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max) {
		t.Errorf("latency percentiles out of order: p50=%v p95=%v p99=%v max=%v", r.P50, r.P95, r.P99, r.Max)
	}
	if r.Mean <= 0 || r.Mean > r.Max {
		t.Errorf("mean latency %v outside (0, max=%v]", r.Mean, r.Max)
	}
	if s := r.String(); !strings.Contains(s, "echoed 400/400") {
		t.Errorf("String() = %q", s)
	}
}

func TestRunZeroMessages(t *testing.T) {
	addr := fakeServer(t, echoLines(func(_ int, line string) string { return line }))
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 3, Messages: 0})
	if err != nil || !r.OK() || r.Planned != 0 {
		t.Errorf("Run = %+v, %v; want an empty, OK report", r, err)
	}
}

func TestRunFixedPayload(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	addr := fakeServer(t, echoLines(func(_ int, line string) string {
		mu.Lock()
		seen = append(seen, line)
		mu.Unlock()
		return line
	}))
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 2, Messages: 3, Payload: []byte("same\tevery time\r")})
	if err != nil {
		t.Fatal(err)
	}
	if r.PayloadBytes != 16 || len(seen) != 6 {
		t.Fatalf("report %+v, server saw %d lines", r, len(seen))
	}
	for _, line := range seen {
		if line != "same\tevery time\r\n" {
			t.Errorf("server got %q", line)
		}
	}
}

func TestRunCountsCorruptedEchoes(t *testing.T) {
	addr := fakeServer(t, echoLines(func(n int, line string) string {
		if n == 2 {
			return "X" + line[1:] // same length, one byte wrong
		}
		return line
	}))
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 4, Messages: 10})
	checkSums(t, r)
	if r.Corrupted != 4 || r.Echoed != 36 || r.Lost+r.Unsent != 0 {
		t.Errorf("report %+v: want 4 corrupted (one per client) and 36 echoed", r)
	}
	if err == nil || !strings.Contains(err.Error(), "corrupted 4") || !strings.Contains(err.Error(), "echo differs") {
		t.Errorf("err = %v, want one counting 4 corrupted and quoting the difference", err)
	}
}

func TestRunCatchesEchoesSentToTheWrongClient(t *testing.T) {
	// A server that answers everyone with the first line it ever received: same length,
	// right format, wrong client.
	var once sync.Once
	var first string
	addr := fakeServer(t, echoLines(func(_ int, line string) string {
		once.Do(func() { first = line })
		return first
	}))
	r, _ := load.Run(t.Context(), addr, load.Config{Clients: 3, Messages: 4, PayloadBytes: 32})
	checkSums(t, r)
	if r.Echoed != 1 || r.Corrupted != 11 {
		t.Errorf("report %+v: want only the very first message echoed intact", r)
	}
}

func TestRunCountsLostAndUnsent(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn) { // echoes three lines, then hangs up
		r := bufio.NewReader(c)
		for range 3 {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(c, line)
		}
	})
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 5, Messages: 10})
	checkSums(t, r)
	// Per client: 3 echoed, the 4th sent but never echoed, 6 never sent.
	if r.Echoed != 15 || r.Lost != 5 || r.Unsent != 30 || r.Corrupted != 0 || r.FailedClients != 5 {
		t.Errorf("report %+v: want echoed 15, lost 5, unsent 30, 5 failed clients", r)
	}
	if err == nil || !strings.Contains(err.Error(), "lost 5, unsent 30") || len(r.Errors) == 0 {
		t.Errorf("err = %v (samples %q), want the losses counted and explained", err, r.Errors)
	}
}

func TestRunWhenNobodyListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 3, Messages: 7})
	checkSums(t, r)
	if err == nil || r.Unsent != 21 || r.FailedClients != 3 || len(r.Errors) != 3 {
		t.Errorf("Run = %+v, %v; want every message unsent and every client failed", r, err)
	}
}

// silent reads everything and never answers.
func silent(c net.Conn) { io.Copy(io.Discard, c) }

func TestRunStopsWhenContextEnds(t *testing.T) {
	addr := fakeServer(t, silent)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	r, err := load.Run(ctx, addr, load.Config{Clients: 4, Messages: 5, Timeout: -1})
	checkSums(t, r)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if r.Lost != 4 || r.Unsent != 16 {
		t.Errorf("report %+v: want each client's first message lost and the rest unsent", r)
	}
}

func TestRunPerMessageTimeout(t *testing.T) {
	addr := fakeServer(t, silent)
	r, err := load.Run(t.Context(), addr, load.Config{Clients: 2, Messages: 3, Timeout: 50 * time.Millisecond})
	checkSums(t, r)
	if err == nil || !strings.Contains(strings.Join(r.Errors, " "), "timeout") || r.Lost != 2 {
		t.Errorf("Run = %+v, %v; want both clients timed out with one message lost each", r, err)
	}
}

func TestRunAgainstEchoServer(t *testing.T) {
	s, err := echo.Start(t.Context(), echo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := load.Run(t.Context(), s.Addr(), load.Config{Clients: 20, Messages: 20, PayloadBytes: 5000})
	if err != nil {
		t.Fatal(err)
	}
	// The server counts a line after its write returns, which can be after the client has
	// read the echo: wait for every connection to end before reading the counters.
	for deadline := time.Now().Add(20 * time.Second); s.Stats().Active > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if st := s.Stats(); st.Lines != 400 || st.Bytes != 400*5001 {
		t.Errorf("server stats %v after %v", st, r)
	}
}
