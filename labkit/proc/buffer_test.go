package proc_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

func TestBufferKeepsEveryConcurrentWrite(t *testing.T) {
	var b proc.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Write([]byte("ab"))
			}
		})
	}
	wg.Wait()
	if got := b.String(); len(got) != 1600 || strings.Count(got, "ab") != 800 || b.Truncated() {
		t.Fatalf("kept %d bytes (%d \"ab\"), truncated %v; want 1600, 800, false", len(got), strings.Count(got, "ab"), b.Truncated())
	}
}

func TestBufferMaxKeepsTheFirstBytes(t *testing.T) {
	b := proc.Buffer{Max: 5}
	for _, s := range []string{"abc", "def", "ghi"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v; want every byte reported written", s, n, err)
		}
	}
	if b.String() != "abcde" || !b.Truncated() {
		t.Fatalf("kept %q, truncated %v; want \"abcde\", true", b.String(), b.Truncated())
	}
}

func ExampleBuffer() {
	out := &proc.Buffer{Max: 1 << 20}
	cmd := proc.Command(context.Background(), "echo", "hello")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out.String())
	// Output: hello
}
