package echo_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
)

func TestZeroConfigUsesDefaultsOnLoopback(t *testing.T) {
	s := startServer(t, echo.Config{})
	cfg := s.Config()
	want := echo.Config{
		Addr: echo.DefaultAddr, MaxLineBytes: echo.DefaultMaxLineBytes, IdleTimeout: echo.DefaultIdleTimeout,
		WriteTimeout: echo.DefaultWriteTimeout, MaxConns: echo.DefaultMaxConns,
	}
	if cfg != want {
		t.Errorf("Config() = %+v, want %+v", cfg, want)
	}
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr() = %q (%v), want 127.0.0.1 and a real port", s.Addr(), err)
	}
}

func TestStartRejectsBadInput(t *testing.T) {
	_, err := echo.Start(context.Background(), echo.Config{MaxLineBytes: -1})
	if err == nil || !strings.Contains(err.Error(), "MaxLineBytes") {
		t.Errorf("MaxLineBytes=-1: err = %v, want one naming MaxLineBytes", err)
	}
	_, err = echo.Start(context.Background(), echo.Config{Addr: "not an address"})
	if err == nil {
		t.Error("Addr=\"not an address\": no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := echo.Start(ctx, echo.Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := echo.StartMinimal(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("StartMinimal, cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestEchoesLinesByteForByte(t *testing.T) {
	s := startServer(t, echo.Config{})
	var all strings.Builder
	for b := range 256 {
		if b != '\n' {
			all.WriteByte(byte(b))
		}
	}
	lines := []string{"hello", "", "crlf\r", "tab\tand  spaces", "ünïcødé", all.String(), strings.Repeat("x", 10000)}
	input := strings.Join(lines, "\n") + "\nunterminated tail"
	c := dial(t, s.Addr())
	write(t, c, input)
	c.CloseWrite()
	if got := readToEOF(t, c); got != input {
		t.Fatalf("echo differs from input: got %d bytes, want %d", len(got), len(input))
	}
	waitIdle(t, s)
	st := s.Stats()
	if st.Lines != int64(len(lines)+1) || st.Bytes != int64(len(input)) || st.Received != int64(len(input)) {
		t.Errorf("stats = %v, want lines=%d bytes=received=%d", st, len(lines)+1, len(input))
	}
	if st.Accepted != 1 || st.Errors != 0 || st.Resets != 0 {
		t.Errorf("stats = %v, want 1 accepted and no errors", st)
	}
}

func TestLineAtTheLimitIsEchoedAndOneByteMoreIsRefused(t *testing.T) {
	const limit = 16
	s := startServer(t, echo.Config{MaxLineBytes: limit})
	c := dial(t, s.Addr())
	roundTrip(t, c, strings.Repeat("a", limit)+"\n")
	write(t, c, "ok\n"+strings.Repeat("b", limit+1)+"\nnever echoed\n")
	want := "ok\nERR line too long (max 16 bytes)\n"
	if got := readToEOF(t, c); got != want {
		t.Errorf("got %q, want %q then end of file", got, want)
	}
	waitIdle(t, s)
	if st := s.Stats(); st.OverLong != 1 || st.Lines != 2 {
		t.Errorf("stats = %v, want overlong=1 lines=2", st)
	}
}

func TestOverLongLineIsCaughtBeforeItsNewline(t *testing.T) {
	// The client keeps the connection open and waits: the server must not wait for a
	// '\n' that may never come once the line is already too long.
	s := startServer(t, echo.Config{MaxLineBytes: 100})
	c := dial(t, s.Addr())
	write(t, c, strings.Repeat("z", 101))
	if got, want := readToEOF(t, c), "ERR line too long (max 100 bytes)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	waitIdle(t, s)
	if st := s.Stats(); st.OverLong != 1 {
		t.Errorf("stats = %v, want overlong=1", st)
	}
}

func TestBinaryGarbage(t *testing.T) {
	s := startServer(t, echo.Config{MaxLineBytes: 64 << 10})
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 1<<20)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	garbage[len(garbage)-1] = '\n'

	t.Run("with newlines is echoed exactly", func(t *testing.T) {
		c := dial(t, s.Addr())
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() { // write while reading, so neither side's buffers fill up
			c.SetWriteDeadline(time.Now().Add(patience))
			for chunk := range slicesChunk(garbage, 1500) {
				if _, err := c.Write(chunk); err != nil {
					t.Errorf("write: %v", err)
					return
				}
			}
			c.CloseWrite()
		})
		if got := readToEOF(t, c); got != string(garbage) {
			t.Errorf("echo of 1 MiB of random bytes differs (got %d bytes)", len(got))
		}
	})

	t.Run("without newlines is refused as over-long", func(t *testing.T) {
		noNewline := []byte(strings.ReplaceAll(string(garbage[:100<<10]), "\n", "?"))
		c := dial(t, s.Addr())
		c.SetWriteDeadline(time.Now().Add(patience))
		if _, err := c.Write(noNewline); err != nil {
			t.Fatalf("write: %v", err) // the server drains what follows its error line
		}
		if got, want := readToEOF(t, c), "ERR line too long (max 65536 bytes)\n"; got != want {
			t.Errorf("got %.80q, want %q", got, want)
		}
	})
	waitIdle(t, s)
	if st := s.Stats(); st.OverLong != 1 || st.Errors != 0 {
		t.Errorf("stats = %v, want overlong=1 errors=0", st)
	}
}

func slicesChunk(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}

func TestHalfClosedConnection(t *testing.T) {
	s := startServer(t, echo.Config{})
	c := dial(t, s.Addr())
	write(t, c, "abc\nde")
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got := readToEOF(t, c); got != "abc\nde" {
		t.Errorf("after CloseWrite got %q, want %q then end of file", got, "abc\nde")
	}
	empty := dial(t, s.Addr())
	empty.CloseWrite()
	if got := readToEOF(t, empty); got != "" {
		t.Errorf("silent half-closed connection got %q, want nothing", got)
	}
	waitIdle(t, s)
	if st := s.Stats(); st.Lines != 2 || st.Accepted != 2 || st.Errors+st.Resets+st.IdleTimeouts != 0 {
		t.Errorf("stats = %v, want lines=2 accepted=2 and no errors", st)
	}
}

func TestAbruptResetsAreCounted(t *testing.T) {
	s := startServer(t, echo.Config{})
	reset := func(c *net.TCPConn) {
		if err := c.SetLinger(0); err != nil { // Close now sends RST instead of FIN
			t.Fatal(err)
		}
		c.Close()
	}
	between := dial(t, s.Addr())
	roundTrip(t, between, "x\n")
	reset(between)
	waitFor(t, "first reset counted", func() bool { return s.Stats().Resets == 1 })

	midLine := dial(t, s.Addr())
	roundTrip(t, midLine, "y\n")
	write(t, midLine, "half a li")
	waitFor(t, "half line received", func() bool { return s.Stats().Received == 2+2+9 })
	reset(midLine)
	waitFor(t, "second reset counted", func() bool { return s.Stats().Resets == 2 })
	waitIdle(t, s)

	// The server is unharmed.
	roundTrip(t, dial(t, s.Addr()), "still here\n")
	waitFor(t, "the third line counted", func() bool { return s.Stats().Lines == 3 }) // counted after its write
	if st := s.Stats(); st.Errors != 0 || st.Resets != 2 {
		t.Errorf("stats = %v, want errors=0 resets=2", st)
	}
}

func TestStalledClientsDoNotBlockOthers(t *testing.T) {
	s := startServer(t, echo.Config{WriteTimeout: 300 * time.Millisecond})

	// One client sends half a line and stops; its goroutine waits in Read, alone.
	halfLine := dial(t, s.Addr())
	write(t, halfLine, "half a li")

	// Another sends and sends but never reads: the server's writes to it block until
	// WriteTimeout, then the server gives up on it.
	noReader := dial(t, s.Addr())
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		line := []byte(strings.Repeat("s", 1023) + "\n")
		noReader.SetWriteDeadline(time.Now().Add(patience))
		for range 64 << 10 { // at most 64 MiB, far more than the socket buffers hold
			if _, err := noReader.Write(line); err != nil {
				return // the server closed it: expected
			}
		}
		t.Error("the server never stopped reading from a client that does not read")
	})

	r, err := load.Run(t.Context(), s.Addr(), load.Config{Clients: 100, Messages: 100})
	if err != nil {
		t.Fatalf("others were affected by the stalled clients: %v", err)
	}
	t.Logf("with two stalled clients: %v", r)
	waitFor(t, "the non-reading client to hit the write timeout", func() bool {
		st := s.Stats()
		return st.WriteTimeouts == 1 && st.Active == 1 // the half-line client is still connected
	})
}

func TestConnectionLimitRefusesTheExcess(t *testing.T) {
	s := startServer(t, echo.Config{MaxConns: 2})
	first, second := dial(t, s.Addr()), dial(t, s.Addr())
	roundTrip(t, first, "1\n")
	roundTrip(t, second, "2\n")

	third := dial(t, s.Addr())
	write(t, third, "3\n") // sent before it learns it is refused: must not turn into a reset
	if got, want := readToEOF(t, third), "ERR server busy (max 2 connections)\n"; got != want {
		t.Errorf("third connection got %q, want %q", got, want)
	}
	if st := s.Stats(); st.Refused != 1 || st.Accepted != 2 {
		t.Errorf("stats = %v, want refused=1 accepted=2", st)
	}

	first.Close()
	waitFor(t, "a slot to free up", func() bool { return s.Stats().Active == 1 })
	roundTrip(t, dial(t, s.Addr()), "4\n")
}

func TestIdleTimeout(t *testing.T) {
	s := startServer(t, echo.Config{IdleTimeout: 100 * time.Millisecond})
	betweenLines := dial(t, s.Addr())
	roundTrip(t, betweenLines, "hi\n")
	if got := readToEOF(t, betweenLines); got != "" {
		t.Errorf("idle connection got %q before end of file, want nothing", got)
	}
	midLine := dial(t, s.Addr())
	write(t, midLine, "never finished")
	if got := readToEOF(t, midLine); got != "" {
		t.Errorf("stalled mid-line connection got %q, want nothing", got)
	}
	waitIdle(t, s)
	if st := s.Stats(); st.IdleTimeouts != 2 {
		t.Errorf("stats = %v, want idle-timeouts=2", st)
	}
}

func TestShutdownClosesIdleAndFinishesInFlightLine(t *testing.T) {
	for _, cfg := range []echo.Config{{}, {IdleTimeout: -1, WriteTimeout: -1}} {
		t.Run(fmt.Sprintf("IdleTimeout=%v", cfg.IdleTimeout), func(t *testing.T) { testShutdownFinishesInFlightLine(t, cfg) })
	}
}

func testShutdownFinishesInFlightLine(t *testing.T, cfg echo.Config) {
	s := startServer(t, cfg)
	idle := dial(t, s.Addr())
	roundTrip(t, idle, "done\n")
	inFlight := dial(t, s.Addr())
	write(t, inFlight, "first half, ")
	waitFor(t, "the first half to be read", func() bool { return s.Stats().Received == 5+12 })

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.Shutdown(context.Background()) }()

	if got := readToEOF(t, idle); got != "" {
		t.Errorf("idle connection got %q at shutdown, want end of file", got)
	}
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", s.Addr())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v with a line still in flight", err)
	default:
	}
	write(t, inFlight, "second half\n")
	if got, want := readToEOF(t, inFlight), "first half, second half\n"; got != want {
		t.Errorf("in-flight line: got %q, want %q then end of file", got, want)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if st := s.Stats(); st.Lines != 2 || st.ForceClosed != 0 || st.Active != 0 {
		t.Errorf("stats = %v, want lines=2 force-closed=0 active=0", st)
	}
}

func TestShutdownForceClosesWhenContextEnds(t *testing.T) {
	s := startServer(t, echo.Config{})
	stalled := dial(t, s.Addr())
	write(t, stalled, "half a li")
	waitFor(t, "the half line to be read", func() bool { return s.Stats().Received == 9 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want context.DeadlineExceeded", err)
	}
	stalled.SetReadDeadline(time.Now().Add(patience))
	if n, err := stalled.Read(make([]byte, 10)); err == nil || isTimeout(err) {
		t.Errorf("stalled client read %d bytes, err %v; want its connection closed", n, err)
	}
	if st := s.Stats(); st.ForceClosed != 1 || st.Active != 0 {
		t.Errorf("stats = %v, want force-closed=1 active=0", st)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v, want nil", err)
	}
}

// TestShutdownUnderLoadLosesNoAcknowledgedLine runs pipelining clients (each writes its
// lines without waiting) and shuts the server down while they run. Every line the server
// read must be echoed, every echo must reach its client intact and in order, and no client
// may see a partial line or a reset.
func TestShutdownUnderLoadLosesNoAcknowledgedLine(t *testing.T) {
	const clients, linesPerClient = 50, 4000
	s := startServer(t, echo.Config{})
	outcomes := make([]echoOutcome, clients)
	conns := make([]*net.TCPConn, clients)
	for id := range conns {
		conns[id] = dial(t, s.Addr())
	}
	// Connections the server has not accepted yet are reset by the kernel when the
	// listener closes; this test is about the ones it serves.
	waitFor(t, "every client accepted", func() bool { return s.Stats().Accepted == clients })
	var wg sync.WaitGroup
	for id, c := range conns {
		line := func(i int) string { return fmt.Sprintf("client %d line %d\n", id, i) }
		wg.Go(func() { sendLines(c, linesPerClient, line) })
		wg.Go(func() { outcomes[id] = readEchoes(c, line) })
	}
	waitFor(t, "the load to be under way", func() bool { return s.Stats().Lines >= clients*linesPerClient/20 })
	atShutdown := s.Stats().Lines
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	shutdownStart := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil (graceful)", err)
	}
	t.Logf("Shutdown took %v; lines when it returned: %d", time.Since(shutdownStart), s.Stats().Lines)
	wg.Wait()

	total := 0
	for id, o := range outcomes {
		if o.err != nil {
			t.Errorf("client %d: %v", id, o.err)
		}
		total += o.echoed
	}
	st := s.Stats()
	if int64(total) != st.Lines {
		t.Errorf("clients received %d echoes, the server wrote %d: acknowledged lines were lost", total, st.Lines)
	}
	// The only bytes read and not echoed: at most one unfinished line per client, the one
	// that arrived after the line in flight at shutdown.
	if maxLine := int64(len(fmt.Sprintf("client %d line %d\n", clients, linesPerClient))); st.Received-st.Bytes > clients*maxLine {
		t.Errorf("server read %d bytes but echoed %d: more than one unfinished line per client was dropped", st.Received, st.Bytes)
	}
	t.Logf("shutdown under load: Shutdown called after %d echoes; %d of %d lines echoed in all; %v",
		atShutdown, total, clients*linesPerClient, st)
}

// echoOutcome is what one client of a load got back: how many echoes were right, and
// what went wrong after them.
type echoOutcome struct {
	echoed int
	err    error
}

// sendLines writes line(0) … line(n-1) to c and half-closes it; it stops early, silently,
// when the server has gone (lines it had not acknowledged may be dropped).
func sendLines(c *net.TCPConn, n int, line func(int) string) {
	c.SetWriteDeadline(time.Now().Add(patience))
	w := bufio.NewWriterSize(c, 512)
	for i := range n {
		if _, err := w.WriteString(line(i)); err != nil {
			return
		}
	}
	w.Flush()
	c.CloseWrite()
}

// readEchoes reads echoes from c until end of file, each of which must be the next line.
func readEchoes(c *net.TCPConn, line func(int) string) (o echoOutcome) {
	c.SetReadDeadline(time.Now().Add(patience))
	r := bufio.NewReader(c)
	for {
		got, err := r.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) || got != "" {
				o.err = fmt.Errorf("after %d echoes: %w (partial %q)", o.echoed, err, got)
			}
			return o
		}
		if want := line(o.echoed); got != want {
			o.err = fmt.Errorf("echo %d = %q, want %q", o.echoed, got, want)
			return o
		}
		o.echoed++
	}
}

func TestCancelledStartContextClosesTheServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := echo.Start(ctx, echo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr())
	roundTrip(t, c, "x\n")
	cancel()
	c.SetReadDeadline(time.Now().Add(patience))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("read after cancel: err = %v, want the connection closed", err)
	}
	waitIdle(t, s)
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel = %v", err)
	}
}

// TestReliabilityManyClients runs 1,000 concurrent clients × 100 messages each and
// requires every echo intact. Under the race detector (several times slower per round
// trip, on a CI machine shared with every other package's tests) it keeps the 1,000
// concurrent connections but sends 25 messages each; run it without -race for the full
// 100,000 messages. -short cuts it to 200 × 50.
func TestReliabilityManyClients(t *testing.T) {
	clients, messages := 1000, 100
	switch {
	case testing.Short():
		clients, messages = 200, 50
	case raceEnabled:
		messages = 25
	}
	if clients*messages < 100_000 {
		t.Logf("NOTE: %d clients × %d messages, not the full 1000 × 100 (short=%v, race=%v); "+
			"the full size runs with: go test -run TestReliabilityManyClients ./labkit/capstone/echo",
			clients, messages, testing.Short(), raceEnabled)
	}
	s := startServer(t, echo.Config{})
	r, err := load.Run(t.Context(), s.Addr(), load.Config{Clients: clients, Messages: messages, PayloadBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Echoed != int64(clients*messages) || r.Lost+r.Corrupted+r.Unsent != 0 {
		t.Fatalf("report %v: want every message echoed", r)
	}
	waitIdle(t, s)
	if st := s.Stats(); st.Lines != int64(clients*messages) || st.Accepted != int64(clients) || st.Errors+st.Resets != 0 {
		t.Errorf("stats = %v, want lines=%d accepted=%d and no errors", st, clients*messages, clients)
	}
	t.Logf("%v", r)
}

func TestMinimalEchoesAndCloses(t *testing.T) {
	m, err := echo.StartMinimal(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.HasPrefix(m.Addr(), "127.0.0.1:") {
		t.Errorf("Addr = %q, want loopback", m.Addr())
	}
	c := dial(t, m.Addr())
	roundTrip(t, c, "no limits here\n")
	long := strings.Repeat("a", 200<<10) + "\n" // more than Server's default line limit
	done := make(chan struct{})
	go func() {
		defer close(done)
		write(t, c, long)
	}()
	if got := readN(t, c, len(long)); got != long {
		t.Errorf("long line: echo differs (got %d bytes)", len(got))
	}
	<-done
	r, err := load.Run(t.Context(), m.Addr(), load.Config{Clients: 20, Messages: 50})
	if err != nil {
		t.Fatalf("load against Minimal: %v (%v)", err, r)
	}
	m.Close()
	c.SetReadDeadline(time.Now().Add(patience))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("read after Close: err = %v, want the connection closed", err)
	}
}

func TestStatsString(t *testing.T) {
	st := echo.Stats{Accepted: 1, Refused: 2, Active: 3, Received: 4, Lines: 5, Bytes: 6, OverLong: 7,
		IdleTimeouts: 8, WriteTimeouts: 9, Resets: 10, Errors: 11, ForceClosed: 12}
	want := "accepted=1 refused=2 active=3 received=4 lines=5 bytes=6 overlong=7 idle-timeouts=8 write-timeouts=9 resets=10 errors=11 force-closed=12"
	if got := st.String(); got != want {
		t.Errorf("String() = %q\nwant       %q", got, want)
	}
}
