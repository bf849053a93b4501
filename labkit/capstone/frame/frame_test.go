package frame

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type msg struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

func TestRoundTripSeveralFrames(t *testing.T) {
	var buf bytes.Buffer
	in := []msg{{1, "hello"}, {2, "line one\nline two"}, {3, ""}}
	for _, m := range in {
		if err := Write(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range in {
		var got msg
		if err := Read(&buf, &got); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if got != want {
			t.Fatalf("frame %d = %+v, want %+v", i, got, want)
		}
	}
	if err := Read(&buf, new(msg)); err != io.EOF {
		t.Fatalf("after the last frame: err = %v, want io.EOF", err)
	}
}

func TestHeaderIsBigEndianLength(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "hi"); err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0, 0, 0, 4}, []byte(`"hi"`)...)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("bytes = %q, want %q", buf.Bytes(), want)
	}
}

func TestRawMessageKeepsBytes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	if err := Read(&buf, &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"a":1}` {
		t.Fatalf("raw = %s", raw)
	}
}

func TestTruncatedStream(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, msg{ID: 7, Text: "cut short"}); err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	for _, cut := range []int{2, 4, len(whole) - 1} {
		err := Read(bytes.NewReader(whole[:cut]), new(msg))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d of %d: err = %v, want io.ErrUnexpectedEOF", cut, len(whole), err)
		}
	}
}

func TestOversizedPrefixIsRejectedWithoutAllocating(t *testing.T) {
	var header [4]byte
	binary.BigEndian.PutUint32(header[:], MaxSize+1)
	err := Read(bytes.NewReader(header[:]), new(msg))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if err := Write(io.Discard, strings.Repeat("x", MaxSize)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Write of an oversized body: err = %v, want ErrTooLarge", err)
	}
}

func TestBadJSONBodyAndUnencodableValue(t *testing.T) {
	body := []byte("{not json")
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, uint32(len(body)))
	buf.Write(body)
	err := Read(&buf, new(msg))
	if err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("err = %v, want a decode error", err)
	}
	if err := Write(io.Discard, make(chan int)); err == nil || !strings.Contains(err.Error(), "encode") {
		t.Fatalf("Write(chan) err = %v, want an encode error", err)
	}
}

func TestWriteErrorIsReported(t *testing.T) {
	r, w := io.Pipe()
	r.Close()
	if err := Write(w, 1); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err = %v, want io.ErrClosedPipe", err)
	}
}
