// Package frame reads and writes length-prefixed JSON messages over a byte stream such
// as a pipe between two processes.
//
// A pipe carries bytes, not messages: a reader can see half a message or two at once.
// Each frame is therefore a 4-byte big-endian length followed by that many bytes of JSON,
// so the reader always knows where a message ends, and a message may contain newlines or
// any other bytes. The format is simple enough to implement in any language.
package frame

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxSize is the largest frame body Read accepts and Write produces (16 MiB). It stops a
// corrupted length prefix from making the reader allocate gigabytes.
const MaxSize = 16 << 20

// ErrTooLarge reports a frame whose body exceeds MaxSize.
var ErrTooLarge = errors.New("frame: message larger than MaxSize")

// Write encodes v as JSON and writes it to w as one frame, in a single Write call.
// It is not safe to call concurrently on the same w: serialise writers yourself.
func Write(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("frame: Write: encode: %w", err)
	}
	if len(body) > MaxSize {
		return fmt.Errorf("frame: Write: %d bytes: %w", len(body), ErrTooLarge)
	}
	buf := make([]byte, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("frame: Write: %w", err)
	}
	return nil
}

// Read reads one frame from r and decodes its JSON body into v (a pointer, or a
// *json.RawMessage to keep the bytes). At a clean end of stream, before any byte of a
// new frame, it returns io.EOF itself; a stream that ends part-way through a frame gives
// io.ErrUnexpectedEOF.
func Read(r io.Reader, v any) error {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("frame: Read: header: %w", err)
	}
	n := binary.BigEndian.Uint32(header[:])
	if n > MaxSize {
		return fmt.Errorf("frame: Read: length prefix %d: %w", n, ErrTooLarge)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("frame: Read: body of %d bytes: %w", n, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("frame: Read: decode %d bytes: %w", n, err)
	}
	return nil
}
