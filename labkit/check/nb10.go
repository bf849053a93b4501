package check

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// GracefulShutdown checks notebook 10's first exercise: serve must echo every line of
// every connection ln accepts until ctx is done, then shut down gracefully — stop
// accepting, close connections that are waiting for their next line at once, and return
// nil when every connection has closed; if a connection is still busy after grace (a
// client that does not read its echoes), close it and return context.DeadlineExceeded.
func GracefulShutdown(t *testing.T, serve func(ctx context.Context, ln net.Listener, grace time.Duration) error) {
	t.Helper()
	if err := checkGracefulShutdown(t, serve); err != nil {
		t.Fatal(err)
	}
}

// IdleEcho checks notebook 10's second exercise: handle must echo conn's lines and close
// conn once the client has sent nothing for idle, counting from its latest line.
func IdleEcho(t *testing.T, handle func(conn net.Conn, idle time.Duration)) {
	t.Helper()
	if err := checkIdleEcho(t, handle); err != nil {
		t.Fatal(err)
	}
}

// echoClient is one checking connection.
type echoClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialEcho(addr string) (*echoClient, error) {
	c, err := net.DialTimeout("tcp", addr, grace)
	if err != nil {
		return nil, fmt.Errorf("could not connect to the server: %v", err)
	}
	return newEchoClient(c), nil
}

func newEchoClient(c net.Conn) *echoClient { return &echoClient{conn: c, r: bufio.NewReader(c)} }

// roundTrip sends line and returns what came back as one line, or an error.
func (c *echoClient) roundTrip(line string) (string, error) {
	c.conn.SetDeadline(time.Now().Add(grace))
	if _, err := io.WriteString(c.conn, line); err != nil {
		return "", err
	}
	return c.r.ReadString('\n')
}

// closedWithin reports whether the server closes the connection (end of file or reset)
// within d, with nothing more sent back.
func (c *echoClient) closedWithin(d time.Duration) (bool, error) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	extra, err := c.r.ReadString('\n')
	var ne net.Error
	switch {
	case err == nil || extra != "":
		return false, fmt.Errorf("got %q although nothing was sent", extra)
	case errors.As(err, &ne) && ne.Timeout():
		return false, nil
	}
	return true, nil
}

type shutdownFunc = func(ctx context.Context, ln net.Listener, grace time.Duration) error

// Real time, not fake: the reader's server talks over real loopback sockets (the stuck
// client needs the kernel's buffers to fill), and fake time cannot see a goroutine
// waiting for the network.
func checkGracefulShutdown(_ *testing.T, serve shutdownFunc) error {
	if serve == nil {
		return errors.New("Serve is nil")
	}
	if err := shutdownIdle(serve); err != nil {
		return err
	}
	return shutdownStuck(serve)
}

// runServe starts serve on a loopback listener and returns its address, a cancel that
// starts the shutdown, a channel that delivers serve's result, and whether serve has
// closed the listener.
func runServe(serve shutdownFunc, shutdownGrace time.Duration) (addr string, cancel context.CancelFunc, result chan error, listenerClosed func() bool, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("cannot listen on loopback: %v", err)
	}
	ln := &closeRecorder{Listener: l}
	ctx, cancel := context.WithCancel(context.Background())
	result = make(chan error, 1)
	go func() {
		defer l.Close() // in case serve returns without closing it
		result <- serve(ctx, ln, shutdownGrace)
	}()
	return l.Addr().String(), cancel, result, ln.closed.Load, nil
}

// closeRecorder is a listener that remembers whether Close was called. (Dialling the
// address instead would ask a port that another test may already have been given.)
type closeRecorder struct {
	net.Listener
	closed atomic.Bool
}

func (l *closeRecorder) Close() error {
	l.closed.Store(true)
	return l.Listener.Close()
}

// shutdownIdle: with every client idle between lines, Serve must close them all and
// return nil, well before grace.
func shutdownIdle(serve shutdownFunc) (err error) {
	const shutdownGrace = 3 * time.Second
	addr, cancel, result, listenerClosed, err := runServe(serve, shutdownGrace)
	if err != nil {
		return err
	}
	var clients []*echoClient
	returned := false
	defer func() {
		cancel()
		for _, c := range clients {
			c.conn.Close() // frees a Serve that is still waiting for them
		}
		if !returned {
			select {
			case <-result:
			case <-time.After(shutdownGrace + grace):
			}
		}
	}()
	if clients, err = greetClients(addr, 3); err != nil {
		return err
	}
	select {
	case err := <-result:
		returned = true
		return fmt.Errorf("Serve returned %v before its context was cancelled", err)
	default:
	}
	cancel() // every client is now idle between lines
	select {
	case err := <-result:
		returned = true
		if errors.Is(err, context.DeadlineExceeded) {
			return errors.New("every client was idle, yet Serve waited out grace and returned DeadlineExceeded: " +
				"wake the idle connections (conn.SetReadDeadline(time.Now()) makes a blocked read return) so they close at once")
		}
		if err != nil {
			return fmt.Errorf("every client was idle and closed; Serve returned %v, want nil", err)
		}
	case <-time.After(shutdownGrace + grace):
		return fmt.Errorf("Serve had not returned %v after its context was cancelled, with every client idle: "+
			"wake the idle connections, wait for their goroutines, and return", shutdownGrace+grace)
	}
	return closedAfterShutdown(clients, listenerClosed)
}

// greetClients connects n clients to addr, each echoing one line; it returns the clients
// connected so far, also with an error.
func greetClients(addr string, n int) (clients []*echoClient, err error) {
	for i := range n {
		c, err := dialEcho(addr)
		if err != nil {
			return clients, err
		}
		clients = append(clients, c)
		line := fmt.Sprintf("client %d says hello\n", i)
		if got, err := c.roundTrip(line); got != line {
			return clients, fmt.Errorf("before the shutdown: sent %q, got %q (%v): echo every line", line, got, err)
		}
	}
	return clients, nil
}

// closedAfterShutdown checks that Serve, having returned, closed every client's
// connection and its listener.
func closedAfterShutdown(clients []*echoClient, listenerClosed func() bool) error {
	for i, c := range clients {
		closed, err := c.closedWithin(grace)
		if err != nil {
			return fmt.Errorf("client %d after the shutdown: %v", i, err)
		}
		if !closed {
			return fmt.Errorf("Serve returned, but idle client %d's connection was still open: "+
				"a graceful shutdown closes every connection and waits for its goroutine before returning", i)
		}
	}
	if !listenerClosed() {
		return errors.New("Serve returned without closing its listener, which would go on accepting new connections: close it to stop accepting")
	}
	return nil
}

// shutdownStuck: a client that sends but never reads keeps its goroutine blocked in Write.
// Serve must give up on it after grace: close it, and return context.DeadlineExceeded.
func shutdownStuck(serve shutdownFunc) error {
	const shutdownGrace = 300 * time.Millisecond
	addr, cancel, result, _, err := runServe(serve, shutdownGrace)
	if err != nil {
		return err
	}
	defer cancel()
	stuck, err := dialEcho(addr)
	if err != nil {
		return err
	}
	stopFlood := floodUntilStalled(stuck)
	defer stopFlood()
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("a client that never reads its echoes was connected; Serve returned %v, want context.DeadlineExceeded "+
				"after closing that connection once grace (%v) had passed", err, shutdownGrace)
		}
	case <-time.After(shutdownGrace + grace):
		stuck.conn.Close() // frees a Serve that waits for ever
		return fmt.Errorf("Serve had not returned %v after its context was cancelled (grace %v): a client that never reads "+
			"keeps its goroutine blocked in Write; after grace, close the connections still open and return", shutdownGrace+grace, shutdownGrace)
	}
	// Echoes it never read may still arrive; what matters is that the connection ends.
	stuck.conn.SetReadDeadline(time.Now().Add(grace))
	if _, err := io.Copy(io.Discard, stuck.conn); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("Serve returned DeadlineExceeded, but the stuck client's connection was still open (%v): close it", err)
	}
	return nil
}

// floodUntilStalled writes line after line to stuck, never reading an echo, until the writes
// stall: both directions' buffers are full and the server is stuck in Write. stop closes
// stuck and waits for the writer.
func floodUntilStalled(stuck *echoClient) (stop func()) {
	stuck.conn.(*net.TCPConn).SetReadBuffer(4 << 10) // small buffers: the server's Write blocks sooner
	var sent atomic.Int64
	writer := make(chan struct{})
	writerID := make(chan string, 1)
	go func() { // lines and more lines, never reading an echo
		defer close(writer)
		writerID <- goroutineID()
		line := strings.Repeat("z", 1023) + "\n"
		stuck.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		for range 1 << 15 { // at most 32 MiB; the server stops reading long before
			if _, err := io.WriteString(stuck.conn, line); err != nil {
				return
			}
			sent.Add(1)
		}
	}()
	// Stalled means blocked in the socket write (IO wait), not merely slow: on a loaded
	// machine a writer that is not scheduled for a while makes no progress either.
	id := <-writerID
	for last, still, deadline := int64(-1), 0, time.Now().Add(10*time.Second); still < 4 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		if now := sent.Load(); now == last && goroutineState(id) == "IO wait" {
			still++
		} else {
			last, still = now, 0
		}
	}
	return func() {
		stuck.conn.Close()
		<-writer
	}
}

// checkIdleEcho hands the handler one end of an in-memory [net.Pipe] per client instead
// of a socket, so that it runs on fake time: read deadlines are fake-clock timers there,
// and idle is measured exactly. The handler cannot tell: it only sees a [net.Conn].
type idleEchoFunc = func(conn net.Conn, idle time.Duration)

func checkIdleEcho(t *testing.T, handle idleEchoFunc) error {
	if handle == nil {
		return errors.New("the handler is nil")
	}
	return onFakeTime(t, "the handler", func() error {
		var handlers sync.WaitGroup
		var served []net.Conn
		connect := func() *echoClient {
			server, client := net.Pipe()
			served = append(served, server)
			handlers.Go(func() { handle(server, idle) })
			return newEchoClient(client)
		}
		defer func() {
			for _, c := range served {
				c.Close() // ends a handler that never closes its connection
			}
			handlers.Wait()
		}()
		return idleEchoClients(connect)
	})
}

// idle is the idle time IdleEcho's check gives the handler.
const idle = 500 * time.Millisecond

func idleEchoClients(connect func() *echoClient) error {
	// 1. A client that never sends anything must be closed, once idle has passed.
	silent := connect()
	defer silent.conn.Close()
	start := time.Now()
	closed, err := silent.closedWithin(idle + grace)
	switch {
	case err != nil:
		return fmt.Errorf("silent client: %v", err)
	case !closed:
		return fmt.Errorf("a client that sent nothing was still connected %v after connecting, with idle = %v: "+
			"call conn.SetReadDeadline(time.Now().Add(idle)) before reading, and return when the read fails",
			idle+grace, idle)
	case time.Since(start) < idle:
		return fmt.Errorf("a client that sent nothing was hung up on after %v, before idle (%v) had passed", time.Since(start), idle)
	}

	// 2. A client that keeps talking must be served for longer than idle in total.
	active := connect()
	defer active.conn.Close()
	const lines, gap = 40, 20 * time.Millisecond // 800 ms in all, more than idle
	start = time.Now()
	for i := range lines {
		line := fmt.Sprintf("line %d\n", i)
		got, err := active.roundTrip(line)
		if got != line {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return fmt.Errorf("a client sending a line every %v was cut off after %d lines (%v): "+
					"move the deadline forward before every read, not once per connection", gap, i, time.Since(start))
			}
			return fmt.Errorf("sent %q, got %q (%v): echo every line back", line, got, err)
		}
		time.Sleep(gap)
	}

	// 3. Once it falls silent, it too must be closed, idle after its last line.
	start = time.Now()
	closed, err = active.closedWithin(idle + grace)
	switch {
	case err != nil:
		return fmt.Errorf("after its last line: %v", err)
	case !closed:
		return fmt.Errorf("a client that stopped sending was still connected after %v (idle = %v)", idle+grace, idle)
	case time.Since(start) < idle-gap:
		return fmt.Errorf("a client that stopped sending was hung up on %v after its last line, before idle (%v) had passed", time.Since(start), idle)
	}
	return nil
}
