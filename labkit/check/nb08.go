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
func SendLatest(t *testing.T, sendLatest func(ch chan int, v int)) {
	t.Helper()
	if err := checkSendLatest(t, sendLatest); err != nil {
		t.Fatal(err)
	}
}

type sendLatestFunc = func(ch chan int, v int)

func checkSendLatest(t *testing.T, sendLatest sendLatestFunc) error {
	if sendLatest == nil {
		return errors.New("SendLatest is nil")
	}
	return onFakeTime(t, "SendLatest", inTurn(sendLatest, sendLatestNoReader, sendLatestWithReader))
}

func sendLatestNoReader(sendLatest sendLatestFunc) error {
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
	return nil
}

// sendLatestWithReader runs a producer and a slower consumer at once: the consumer must
// see prices in order, never one twice, and end on the last one sent. Both pace
// themselves on the fake clock, the producer at odd microseconds and the consumer at
// multiples of 6, so they never wake at the same instant and every run interleaves them
// the same way: the consumer takes one value for every three the producer sends.
func sendLatestWithReader(sendLatest sendLatestFunc) error {
	const last = 600
	ch := make(chan int, 2)
	producerDone := make(chan bool, 1)
	go func() {
		time.Sleep(time.Microsecond)
		for v := 1; v <= last; v++ {
			if _, returned := sendOrUnblock(ch, func() bool { sendLatest(ch, v); return true }); !returned {
				producerDone <- false
				return
			}
			time.Sleep(2 * time.Microsecond)
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
	tick := time.NewTicker(6 * time.Microsecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-tick.C:
			select {
			case v := <-ch:
				if err := collect(v); err != nil {
					<-producerDone
					drainBuffered(ch)
					return err
				}
			default:
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
	if len(seen) == 0 || seen[len(seen)-1] != last {
		return fmt.Errorf("with a reader running, the values received were %v…, want them to end with the last one sent (%d)", seen[:min(len(seen), 5)], last)
	}
	return nil
}

// sendOrUnblock calls send, which may block on ch, and waits grace for it. If it is
// still blocked, it empties ch until send returns (so no goroutine is left behind) and
// reports returned = false.
func sendOrUnblock(ch chan int, send func() bool) (ok, returned bool) {
	done := goCall(send)
	if ok, returned := await(done, grace); returned {
		return ok, true
	}
	for {
		select {
		case <-done:
			return false, false
		case <-ch:
		case <-time.After(grace):
			return false, false // still stuck: give up rather than hang the check
		}
	}
}
