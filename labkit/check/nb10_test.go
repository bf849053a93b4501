package check

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// echoLines is section 1's echoLines, which the first exercise's Serve calls.
func echoLines(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// serveTracked is the part of the first exercise's stub that every version shares: it
// serves until ctx is done and returns, after closing the listener, the open connections
// and the WaitGroup of their goroutines.
func serveTracked(ctx context.Context, ln net.Listener) (*sync.Mutex, map[net.Conn]bool, *sync.WaitGroup) {
	var (
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
		wg    sync.WaitGroup
	)
	context.AfterFunc(ctx, func() { ln.Close() })
	for {
		conn, err := ln.Accept()
		if err != nil {
			break
		}
		mu.Lock()
		conns[conn] = true
		mu.Unlock()
		wg.Go(func() {
			echoLines(conn)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		})
	}
	return &mu, conns, &wg
}

// The stub notebook 10 ships (exercise "shutdown"): returns as soon as the listener
// closes, leaving every connection open.
func shutdownStub(ctx context.Context, ln net.Listener, grace time.Duration) error {
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var wg sync.WaitGroup
	context.AfterFunc(ctx, func() { ln.Close() })
	for {
		conn, err := ln.Accept()
		if err != nil {
			break
		}
		mu.Lock()
		conns[conn] = true
		mu.Unlock()
		wg.Go(func() {
			echoLines(conn)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		})
	}
	return nil
}

// The reference solution (notebooks/solutions/10_tcp_echo/shutdown.gocell).
func shutdownSolution(ctx context.Context, ln net.Listener, grace time.Duration) error {
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var wg sync.WaitGroup
	context.AfterFunc(ctx, func() { ln.Close() })
	for {
		conn, err := ln.Accept()
		if err != nil {
			break
		}
		mu.Lock()
		conns[conn] = true
		mu.Unlock()
		wg.Go(func() {
			echoLines(conn)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		})
	}
	mu.Lock()
	for conn := range conns {
		conn.SetReadDeadline(time.Now())
	}
	mu.Unlock()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(grace):
		mu.Lock()
		for conn := range conns {
			conn.Close()
		}
		mu.Unlock()
		<-done
		return context.DeadlineExceeded
	}
}

// finishShutdown is the solution's second half; wake=false leaves idle connections asleep.
func finishShutdown(mu *sync.Mutex, conns map[net.Conn]bool, wg *sync.WaitGroup, grace time.Duration, wake bool) error {
	if wake {
		mu.Lock()
		for conn := range conns {
			conn.SetReadDeadline(time.Now())
		}
		mu.Unlock()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(grace):
		mu.Lock()
		for conn := range conns {
			conn.Close()
		}
		mu.Unlock()
		<-done
		return context.DeadlineExceeded
	}
}

// Never wakes the idle connections: waits out grace even when every client is idle.
func shutdownNoWake(ctx context.Context, ln net.Listener, grace time.Duration) error {
	mu, conns, wg := serveTracked(ctx, ln)
	return finishShutdown(mu, conns, wg, grace, false)
}

// Wakes the idle ones and waits, but for ever: a client that never reads holds it up.
func shutdownNoGrace(ctx context.Context, ln net.Listener, grace time.Duration) error {
	mu, conns, wg := serveTracked(ctx, ln)
	return finishShutdown(mu, conns, wg, time.Hour, true)
}

// Not graceful: closes every connection at once.
func shutdownAbrupt(ctx context.Context, ln net.Listener, grace time.Duration) error {
	mu, conns, wg := serveTracked(ctx, ln)
	return finishShutdown(mu, conns, wg, 0, false)
}

func TestGracefulShutdownVerdicts(t *testing.T) {
	runVerdicts(t, checkGracefulShutdown, []verdictCase[shutdownFunc]{
		{"stub (returns at once)", shutdownStub, "still open", false},
		{"solution", shutdownSolution, "", false},
		{"idle connections never woken", shutdownNoWake, "wake the idle connections", false},
		{"no grace deadline", shutdownNoGrace, "after grace, close", false},
		{"everything closed at once", shutdownAbrupt, "waited out grace", false},
		{"nil", nil, "nil", false},
	})
}

// The stub of the second exercise: echoes, never times out.
func idleStub(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// The reference solution (notebooks/solutions/10_tcp_echo/idle.gocell).
func idleSolution(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idle))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// Sets the deadline once: an active client is cut off at idle.
func idleOnce(conn net.Conn, idle time.Duration) {
	conn.SetReadDeadline(time.Now().Add(idle))
	echoLines(conn)
}

// Moves the deadline before every read, but hangs up after half of idle.
func idleTooSoon(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idle / 2))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// Moves the deadline before every read, but returns without closing the connection.
func idleNoClose(conn net.Conn, idle time.Duration) {
	r := bufio.NewReader(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idle))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

func TestIdleEchoVerdicts(t *testing.T) {
	runVerdicts(t, checkIdleEcho, []verdictCase[idleEchoFunc]{
		{"stub (no deadline)", idleStub, "SetReadDeadline", false},
		{"solution", idleSolution, "", false},
		{"deadline set once", idleOnce, "before every read", false},
		{"hangs up after idle/2", idleTooSoon, "after 250ms, before idle (500ms) had passed", false},
		{"returns without closing", idleNoClose, "still connected", false},
		{"nil", nil, "nil", false},
	})
}
