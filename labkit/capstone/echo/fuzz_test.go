package echo_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
)

// expectedEcho is the line protocol written out plainly: lines of at most maxLine bytes
// (before their '\n') come back unchanged, an unterminated last line too; the first
// longer line gets the error line instead and ends the connection.
func expectedEcho(data []byte, maxLine int) (out []byte, lines int) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		line := data
		if i >= 0 {
			line = data[:i]
		}
		if len(line) > maxLine {
			return fmt.Appendf(out, "ERR line too long (max %d bytes)\n", maxLine), lines
		}
		lines++
		if i < 0 {
			return append(out, data...), lines
		}
		out = append(out, data[:i+1]...)
		data = data[i+1:]
	}
	return out, lines
}

// FuzzLineFraming sends arbitrary bytes, in arbitrary write sizes, to a real server with
// an arbitrary (small) line limit, and checks the reply against expectedEcho.
func FuzzLineFraming(f *testing.F) {
	f.Add(uint16(16), uint8(1), []byte("hello\nworld\n"))
	f.Add(uint16(4), uint8(3), []byte("abcd\nabcde\nnever\n"))
	f.Add(uint16(8), uint8(7), []byte("tail without newline"))
	f.Add(uint16(1), uint8(0), []byte("\n\n\n\r\n"))
	f.Add(uint16(300), uint8(64), bytes.Repeat([]byte("\x00\xff\n"), 200))
	servers := map[int]*echo.Server{}
	f.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	f.Fuzz(func(t *testing.T, limit uint16, chunk uint8, data []byte) {
		maxLine := max(1, int(limit)%512)
		chunkSize := max(1, int(chunk)%128)
		if len(data) > 8<<10 { // keep each run fast; framing bugs show up in short inputs
			data = data[:8<<10]
		}
		s := servers[maxLine]
		if s == nil { // Listen is the slow part (finding a free port), so reuse servers
			var err error
			if s, err = echo.Start(context.Background(), echo.Config{MaxLineBytes: maxLine}); err != nil {
				t.Fatal(err)
			}
			servers[maxLine] = s
		}
		before := s.Stats().Lines
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(patience))
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			for p := data; len(p) > 0; p = p[min(chunkSize, len(p)):] {
				if _, err := c.Write(p[:min(chunkSize, len(p))]); err != nil {
					return // the server may close after an over-long line
				}
			}
			c.(*net.TCPConn).CloseWrite()
		})
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("reading the echo: %v (got %q)", err, got)
		}
		want, lines := expectedEcho(data, maxLine)
		if !bytes.Equal(got, want) {
			t.Fatalf("max line %d, writes of %d bytes:\nsent %q\n got %q\nwant %q", maxLine, chunkSize, data, got, want)
		}
		c.Close()
		wg.Wait()
		// Inputs run one at a time in each fuzzing process, so the difference is ours.
		if echoed := s.Stats().Lines - before; echoed != int64(lines) {
			t.Errorf("server counted %d lines echoed, want %d", echoed, lines)
		}
	})
}
