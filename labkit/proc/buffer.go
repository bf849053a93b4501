package proc

import (
	"bytes"
	"sync"
)

// Buffer collects what a child process writes, from any number of goroutines at once
// (exec.Cmd copies stdout and stderr on goroutines of its own when they are not files),
// so one Buffer can be both a command's Stdout and its Stderr. If Max > 0 it keeps the
// first Max bytes and drops the rest, so a runaway child cannot fill the memory. The zero
// value is an empty Buffer without a limit.
type Buffer struct {
	Max int

	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

// Write keeps what fits and reports every byte written, so the child never sees an error.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.Max - b.buf.Len(); b.Max > 0 && len(p) > room {
		b.truncated = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	b.buf.Write(p)
	return len(p), nil
}

// String returns what has been kept so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Truncated reports whether bytes beyond Max were dropped.
func (b *Buffer) Truncated() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.truncated
}
