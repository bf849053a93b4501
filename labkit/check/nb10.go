package check

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// EchoServe checks notebook 10's first exercise: serve must accept connections on ln
// until ln is closed (then return), echo every line of every connection byte for byte,
// and serve connections at the same time, so that a silent client holds up nobody.
func EchoServe(t *testing.T, serve func(ln net.Listener)) {
	t.Helper()
	if err := checkEchoServe(serve); err != nil {
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

// Real time, not fake: the reader's server talks over real loopback sockets, and fake time
// cannot see a goroutine waiting for the network.
func checkEchoServe(serve func(ln net.Listener)) (err error) {
	if serve == nil {
		return errors.New("Serve is nil")
	}
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		return fmt.Errorf("cannot listen on loopback: %v", lerr)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		serve(ln)
	}()
	var clients []*echoClient
	defer func() {
		// Clients leave first, so even a one-at-a-time server gets to the closed listener.
		for _, c := range clients {
			c.conn.Close()
		}
		ln.Close()
		if _, ok := await(served, grace); !ok && err == nil {
			err = errors.New("Serve did not return after its listener was closed: return when Accept fails")
		}
	}()
	connect := func() (*echoClient, error) {
		c, err := dialEcho(ln.Addr().String())
		if err == nil {
			clients = append(clients, c)
		}
		return c, err
	}

	first, err := connect()
	if err != nil {
		return err
	}
	if got, err := first.roundTrip("hello\n"); got != "hello\n" {
		return fmt.Errorf("sent \"hello\\n\", got %q (%v): write every line back, newline included", got, err)
	}
	// first stays connected and silent from here on.
	second, err := connect()
	if err != nil {
		return err
	}
	if got, err := second.roundTrip("second client\n"); got != "second client\n" {
		return fmt.Errorf("a second client got %q (%v) while the first was connected and silent: "+
			"serve each connection in its own goroutine (go echoConn(conn))", got, err)
	}

	// Many clients at once, each with its own lines, including bytes that are not text.
	const many, lines = 10, 20
	errs := make([]error, many)
	var wg sync.WaitGroup
	for i := range many {
		c, err := connect()
		if err != nil {
			return err
		}
		wg.Go(func() {
			for j := range lines {
				line := fmt.Sprintf("client %d line %d \x00\xff\r\t|\n", i, j)
				if got, err := c.roundTrip(line); got != line {
					errs[i] = fmt.Errorf("client %d sent %q, got %q (%v): echo byte for byte", i, line, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// checkIdleEcho hands the handler one end of an in-memory [net.Pipe] per client instead
// of a socket, so that it runs on fake time: read deadlines are fake-clock timers there,
// and idle is measured exactly. The handler cannot tell: it only sees a [net.Conn].
func checkIdleEcho(t *testing.T, handle func(conn net.Conn, idle time.Duration)) error {
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
