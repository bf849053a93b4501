// Package echo is a TCP line-echo server built the way a production server is: one
// goroutine per connection, with a maximum line length, idle and write timeouts, a limit on
// concurrent connections, counters, and a graceful Shutdown.
//
// The lab uses it to show what those limits cost and what they buy. Minimal, an io.Copy
// echo loop with none of them, is the comparison point; package echo/load drives either
// one (or any other echo server) and verifies every byte that comes back. The program
// cmd/echo-server runs either; package echo/echoproc runs that program, or the Python
// asyncio twin from echo/pyecho, in a process of its own and measures its CPU time per
// message.
package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/semaphore"
)

// Defaults used when a Config field is zero.
const (
	DefaultAddr         = "127.0.0.1:0"
	DefaultMaxLineBytes = 64 << 10
	DefaultIdleTimeout  = time.Minute
	DefaultWriteTimeout = 10 * time.Second
	DefaultMaxConns     = 4096
)

const (
	readBufferSize = 4 << 10
	// A connection closed with unread input is reset, and the reset can destroy the
	// error line just written before the peer reads it. So an error close first
	// half-closes, then reads and discards what is still arriving, for at most this long
	// and this much, before closing.
	lingerTimeout  = time.Second
	lingerMaxBytes = 1 << 20
)

// Config sets a server's limits. The zero value is ready to use: every zero field takes
// its Default, and a negative duration or MaxConns means "no limit".
type Config struct {
	// Addr is the TCP address to listen on; DefaultAddr (loopback, any free port) if empty.
	Addr string
	// MaxLineBytes is the longest line accepted, not counting its '\n'. A longer line gets
	// "ERR line too long (max N bytes)\n" and the connection is closed. Must not be negative.
	MaxLineBytes int
	// IdleTimeout closes a connection that sends nothing for this long, whether it is
	// between lines or stalled inside one.
	IdleTimeout time.Duration
	// WriteTimeout closes a connection whose echo cannot be written for this long, which
	// is what happens to a client that sends but never reads.
	WriteTimeout time.Duration
	// MaxConns bounds the connections served at once. Above it, a new connection gets
	// "ERR server busy (max N connections)\n" and is closed.
	MaxConns int
}

func (c Config) withDefaults() (Config, error) {
	if c.MaxLineBytes < 0 {
		return c, fmt.Errorf("echo: Config.MaxLineBytes = %d: must be >= 0 (0 means %d)", c.MaxLineBytes, DefaultMaxLineBytes)
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	return c, nil
}

// Server is a running echo server. Its methods are safe for concurrent use.
type Server struct {
	cfg   Config
	ln    net.Listener
	slots *semaphore.Weighted // nil when MaxConns is unlimited

	stopping   atomic.Bool
	stopOnce   sync.Once
	acceptDone chan struct{}
	stopWatch  func() bool // stops the context.AfterFunc that closes the server

	mu    sync.Mutex
	conns map[net.Conn]struct{} // every open connection, served or being refused
	wg    sync.WaitGroup        // one per connection goroutine

	c counters
}

// Start listens on cfg.Addr and serves connections in the background until Shutdown or
// Close is called, or ctx is done (which closes the server as Close does).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("echo: Start: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("echo: Start: %w", err)
	}
	s := &Server{
		cfg:        cfg,
		ln:         ln,
		acceptDone: make(chan struct{}),
		conns:      make(map[net.Conn]struct{}),
	}
	if cfg.MaxConns > 0 {
		s.slots = semaphore.NewWeighted(int64(cfg.MaxConns))
	}
	s.mu.Lock() // the AfterFunc may run (and read stopWatch) before Start returns
	s.stopWatch = context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Unlock()
	go s.acceptLoop()
	return s, nil
}

// Addr is the address the server listens on, e.g. "127.0.0.1:41234".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Config is the configuration in force, with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats { return s.c.snapshot() }

func (s *Server) acceptLoop() {
	defer close(s.acceptDone)
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if s.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait rather than spin, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.track(nc)
		if s.slots != nil && !s.slots.TryAcquire(1) {
			s.c.refused.Add(1)
			s.wg.Go(func() {
				defer s.untrack(nc)
				s.closeWithMessage(nc, fmt.Sprintf("ERR server busy (max %d connections)\n", s.cfg.MaxConns))
			})
			continue
		}
		s.c.accepted.Add(1)
		s.c.active.Add(1)
		s.wg.Go(func() {
			defer func() {
				s.untrack(nc)
				if s.slots != nil {
					s.slots.Release(1)
				}
				s.c.active.Add(-1) // after Release: Active < MaxConns means a slot is free
			}()
			s.serve(nc)
		})
	}
}

func (s *Server) track(nc net.Conn) {
	s.mu.Lock()
	s.conns[nc] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

// serve echoes complete lines on nc until the peer goes away, a limit is hit, or the
// server shuts down. Each Read's bytes are echoed in one write (lines already complete
// need no copying); only an unfinished line is carried over to the next Read.
func (s *Server) serve(nc net.Conn) {
	defer nc.Close()
	buf := make([]byte, readBufferSize)
	var st lineState
	for {
		s.armRead(nc)
		// Checked after arming the deadline: Shutdown sets stopping before it cuts the
		// deadlines, so a connection is either cut in Read or sees stopping here.
		if s.stopping.Load() {
			if len(st.carried) == 0 {
				s.closeWithMessage(nc, "") // between lines: nothing in flight
				return
			}
			st.finishing = true
		}
		n, err := nc.Read(buf)
		if n > 0 && !s.echoRead(nc, &st, buf[:n]) {
			return
		}
		if err != nil && !s.keepReading(nc, &st, err) {
			return
		}
	}
}

// lineState is what serve carries from one read of a connection to the next.
type lineState struct {
	carried       []byte // the start of a line whose '\n' has not arrived yet
	shutdownGrace bool   // Shutdown's cut of the read deadline has been forgiven once
	finishing     bool   // Shutdown began mid-line: finish that line, then close
}

// echoRead echoes the lines that read completes (after what st carried) and carries the
// rest; it returns false once the connection is done.
func (s *Server) echoRead(nc net.Conn, st *lineState, read []byte) bool {
	s.c.received.Add(int64(len(read)))
	end, lines, tooLong := scanLines(len(st.carried), read, s.cfg.MaxLineBytes)
	if end > 0 {
		var werr error
		if len(st.carried) > 0 {
			werr = s.write(nc, lines, st.carried, read[:end])
			st.carried = st.carried[:0]
		} else {
			werr = s.write(nc, lines, read[:end])
		}
		if werr != nil {
			return false
		}
	}
	if tooLong {
		s.c.overLong.Add(1)
		s.closeWithMessage(nc, fmt.Sprintf("ERR line too long (max %d bytes)\n", s.cfg.MaxLineBytes))
		return false
	}
	if st.finishing && end > 0 {
		// The line in flight at shutdown has been echoed. The start of a newer one,
		// if this read brought one, is dropped unacknowledged: its client gets end of
		// file instead of its echo, so a client that never pauses cannot hold
		// Shutdown up.
		s.closeWithMessage(nc, "")
		return false
	}
	st.carried = append(st.carried, read[end:]...)
	return true
}

// keepReading ends the connection on the read error err, counting why, except once:
// when Shutdown cut the deadline while a line was arriving, it returns true to let that
// line finish.
func (s *Server) keepReading(nc net.Conn, st *lineState, err error) bool {
	switch {
	case errors.Is(err, io.EOF):
		// The peer half-closed. Its last line may lack a '\n'; echo it as it came.
		if len(st.carried) > 0 {
			s.write(nc, 1, st.carried)
		}
		return false
	case errors.Is(err, os.ErrDeadlineExceeded):
		if s.stopping.Load() {
			if len(st.carried) > 0 && !st.shutdownGrace {
				// Shutdown cut the deadline while a line was arriving: let it finish.
				st.shutdownGrace = true
				return true
			}
			if len(st.carried) == 0 {
				s.closeWithMessage(nc, "")
				return false
			}
		}
		s.c.idleTimeouts.Add(1)
	default:
		s.countError(err)
	}
	return false
}

// armRead sets the deadline for the next read. Without an idle timeout it still clears the
// deadline, which Shutdown may have cut.
func (s *Server) armRead(nc net.Conn) {
	var deadline time.Time
	if s.cfg.IdleTimeout > 0 {
		deadline = time.Now().Add(s.cfg.IdleTimeout)
	}
	nc.SetReadDeadline(deadline)
}

// write sends parts as one write (writev when there are two) and counts them as lines.
func (s *Server) write(nc net.Conn, lines int, parts ...[]byte) error {
	if s.cfg.WriteTimeout > 0 {
		nc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	}
	var n int64
	var err error
	if len(parts) == 1 {
		var k int
		k, err = nc.Write(parts[0])
		n = int64(k)
	} else {
		bufs := net.Buffers(parts)
		n, err = bufs.WriteTo(nc)
	}
	s.c.bytes.Add(n)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.c.writeTimeouts.Add(1)
		} else {
			s.countError(err)
		}
		return err
	}
	s.c.lines.Add(int64(lines))
	return nil
}

func (s *Server) countError(err error) {
	switch {
	case errors.Is(err, net.ErrClosed):
		// Closed by Shutdown or Close, which counted it already.
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		s.c.resets.Add(1)
	default:
		s.c.errors.Add(1)
	}
}

// closeWithMessage writes msg (if any), half-closes, drains what the peer is still sending
// (bounded in time and bytes) and closes, so that the peer reads msg and every echo before
// it, then end of file, instead of a reset.
func (s *Server) closeWithMessage(nc net.Conn, msg string) {
	defer nc.Close()
	if msg != "" {
		nc.SetWriteDeadline(time.Now().Add(lingerTimeout))
		if _, err := io.WriteString(nc, msg); err != nil {
			return
		}
	}
	if hc, ok := nc.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
	}
	// Shutdown may cut the read deadline meanwhile; the linger keeps its own.
	lingerEnd := time.Now().Add(lingerTimeout)
	for drained := int64(0); drained < lingerMaxBytes && time.Now().Before(lingerEnd); {
		nc.SetReadDeadline(lingerEnd)
		n, err := io.CopyN(io.Discard, nc, lingerMaxBytes-drained)
		drained += n
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return // end of file, the byte limit (nil), or a real error
		}
	}
}

// Shutdown stops the server gracefully and waits for it. It stops accepting; closes each
// connection that is between lines (half-closing first, so the client reads its last echo,
// then end of file); and lets a connection that is in the middle of a line receive the rest
// of that line, echo it, and close. Every complete line the server has read is echoed before
// its connection closes; the unfinished start of a newer line may be dropped, never echoed.
// Shutdown returns nil once every connection has closed. If ctx ends first, it closes the
// rest at once (counted as ForceClosed), waits for their goroutines, and returns ctx's
// error. Calling it again is harmless.
//
// Connections the kernel had queued but the server had not yet accepted are reset by the
// kernel when the listener closes; the server read nothing from them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopAccepting()
	s.mu.Lock()
	for nc := range s.conns {
		nc.SetReadDeadline(time.Now()) // wakes readers; serve decides what is idle
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.forceClose()
		<-done
		return ctx.Err()
	}
}

// Close stops the server at once: it stops accepting, closes every connection and waits
// for their goroutines to return. Lines not yet echoed are lost.
func (s *Server) Close() error {
	s.stopAccepting()
	s.forceClose()
	s.wg.Wait()
	return nil
}

func (s *Server) stopAccepting() {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		s.mu.Lock()
		s.stopWatch()
		s.mu.Unlock()
		s.ln.Close()
	})
	// After this no connection is added, so the WaitGroup and the map only shrink.
	<-s.acceptDone
}

func (s *Server) forceClose() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc := range s.conns {
		nc.Close()
		delete(s.conns, nc)
		s.c.forceClosed.Add(1)
	}
}
