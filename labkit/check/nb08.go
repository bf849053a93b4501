package check

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// SendLatest checks notebook 08's keep-latest exercise: sendLatest must never block; when
// ch is full it discards the oldest queued value to make room for v, so a slow reader of a
// price feed always finds the most recent prices. It is called from one producer
// goroutine while a consumer may be receiving.
func SendLatest(t testing.TB, sendLatest func(ch chan int, v int)) {
	t.Helper()
	if err := checkSendLatest(sendLatest); err != nil {
		t.Fatal(err)
	}
}

func checkSendLatest(sendLatest func(ch chan int, v int)) error {
	if sendLatest == nil {
		return errors.New("SendLatest is nil")
	}
	for _, tc := range []struct {
		capacity, sends int
		want            []int
	}{
		{1, 5, []int{5}},
		{3, 10, []int{8, 9, 10}},
		{4, 2, []int{1, 2}},
	} {
		ch := make(chan int, tc.capacity)
		for v := 1; v <= tc.sends; v++ {
			if _, returned := sendOrUnblock(ch, func() bool { sendLatest(ch, v); return true }); !returned {
				return fmt.Errorf("SendLatest(ch, %d) blocked with the channel full (capacity %d): it must never block; when full, receive (discard) the oldest value and try again, both inside select with default", v, tc.capacity)
			}
		}
		if got := drainBuffered(ch); !slices.Equal(got, tc.want) {
			return fmt.Errorf("after sending 1..%d into a channel of capacity %d with nobody reading, it holds %v, want %v (the latest values, oldest first)", tc.sends, tc.capacity, got, tc.want)
		}
	}
	return sendLatestWithReader(sendLatest)
}

// sendLatestWithReader runs a producer and a slow consumer concurrently: the consumer
// must see prices in order, never one twice, and end on the last one sent.
func sendLatestWithReader(sendLatest func(ch chan int, v int)) error {
	const last = 2000
	ch := make(chan int, 2)
	producerDone := make(chan bool, 1)
	go func() {
		for v := 1; v <= last; v++ {
			if _, returned := sendOrUnblock(ch, func() bool { sendLatest(ch, v); return true }); !returned {
				producerDone <- false
				return
			}
		}
		producerDone <- true
	}()
	var seen []int
	collect := func(v int) error {
		if n := len(seen); n > 0 && v <= seen[n-1] {
			return fmt.Errorf("with a reader running, it received %d after %d: values must stay in order and never repeat", v, seen[n-1])
		}
		seen = append(seen, v)
		return nil
	}
	for done := false; !done; {
		select {
		case v := <-ch:
			if err := collect(v); err != nil {
				<-producerDone
				drainBuffered(ch)
				return err
			}
			if len(seen)%8 == 0 {
				time.Sleep(50 * time.Microsecond) // a slow reader, so the channel fills
			}
		case ok := <-producerDone:
			if !ok {
				drainBuffered(ch)
				return errors.New("with a reader running, SendLatest blocked")
			}
			done = true
		}
	}
	for _, v := range drainBuffered(ch) {
		if err := collect(v); err != nil {
			return err
		}
	}
	if seen[len(seen)-1] != last {
		return fmt.Errorf("with a reader running, the last value received was %d, want the last one sent (%d)", seen[len(seen)-1], last)
	}
	return nil
}

// sendOrUnblock calls send, which may block on ch, and waits coordGrace for it. If it is
// still blocked, it empties ch until send returns (so no goroutine is left behind) and
// reports returned = false.
func sendOrUnblock(ch chan int, send func() bool) (ok, returned bool) {
	done := make(chan bool, 1)
	go func() { done <- send() }()
	select {
	case ok := <-done:
		return ok, true
	case <-time.After(coordGrace):
	}
	for {
		select {
		case <-done:
			return false, false
		case <-ch:
		case <-time.After(coordGrace):
			return false, false // still stuck: give up rather than hang the check
		}
	}
}

// drainBuffered receives everything buffered in ch without blocking.
func drainBuffered(ch chan int) []int {
	var got []int
	for {
		select {
		case v := <-ch:
			got = append(got, v)
		default:
			return got
		}
	}
}
