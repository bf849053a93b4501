package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Minimal is the shortest correct echo server: accept, and per connection a goroutine
// running io.Copy(conn, conn). It has no line limit, no timeouts, no connection limit and
// no counters, so a stalled or hostile client holds its goroutine and buffers forever. It
// is here as the baseline that shows what Server's limits cost.
type Minimal struct {
	ln   net.Listener
	mu   sync.Mutex
	conn map[net.Conn]struct{}
	wg   sync.WaitGroup
	stop func() bool
}

// StartMinimal listens on addr (DefaultAddr if empty) and echoes in the background until
// Close is called or ctx is done.
func StartMinimal(ctx context.Context, addr string) (*Minimal, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("echo: StartMinimal: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("echo: StartMinimal: %w", err)
	}
	m := &Minimal{ln: ln, conn: make(map[net.Conn]struct{})}
	m.wg.Add(1)
	go m.acceptLoop()
	m.mu.Lock()
	m.stop = context.AfterFunc(ctx, func() { m.Close() })
	m.mu.Unlock()
	return m, nil
}

// Addr is the address the server listens on.
func (m *Minimal) Addr() string { return m.ln.Addr().String() }

func (m *Minimal) acceptLoop() {
	defer m.wg.Done()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors: do not spin
			continue
		}
		m.mu.Lock()
		if m.conn == nil { // closed meanwhile
			m.mu.Unlock()
			c.Close()
			continue
		}
		m.conn[c] = struct{}{}
		m.wg.Add(1)
		m.mu.Unlock()
		go func() {
			defer m.wg.Done()
			io.Copy(c, c) // the whole server
			c.Close()
			m.mu.Lock()
			delete(m.conn, c)
			m.mu.Unlock()
		}()
	}
}

// Close stops accepting, closes every connection and waits for their goroutines.
func (m *Minimal) Close() error {
	m.ln.Close()
	m.mu.Lock()
	if m.stop != nil {
		m.stop()
	}
	for c := range m.conn {
		c.Close()
	}
	m.conn = nil
	m.mu.Unlock()
	m.wg.Wait()
	return nil
}
