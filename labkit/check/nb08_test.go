package check

import "testing"

// The stub notebook 08 ships for trySend: a plain send, which blocks when full.
func trySendBlocking(ch chan int, v int) bool {
	ch <- v
	return true
}

// The reference solution (notebooks/solutions/08_backpressure/try_send.gocell).
func trySendSelect(ch chan int, v int) bool {
	select {
	case ch <- v:
		return true
	default:
		return false
	}
}

// Never blocks, but reports every value as sent.
func trySendLies(ch chan int, v int) bool {
	select {
	case ch <- v:
	default:
	}
	return true
}

func TestTrySendVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(chan int, int) bool
		wantErr string
	}{
		{"stub (blocking send)", trySendBlocking, "blocked"},
		{"solution", trySendSelect, ""},
		{"reports drops as sent", trySendLies, "reported"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { verdict(t, checkTrySend(t, c.fn), c.wantErr) })
	}
}

// The stub notebook 08 ships for sendLatest: drop-newest, the previous exercise's answer.
func sendLatestDropNewest(ch chan int, v int) {
	select {
	case ch <- v:
	default:
	}
}

// The reference solution (notebooks/solutions/08_backpressure/send_latest.gocell).
func sendLatestConflate(ch chan int, v int) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch: // full: discard the oldest to make room
		default: // a reader emptied it meanwhile: just retry
		}
	}
}

// Blocks: the plain send a Python programmer might write first.
func sendLatestBlocking(ch chan int, v int) { ch <- v }

// Drops the oldest but then gives up instead of retrying, losing the newest when a
// reader races it; and with nobody reading it keeps the oldest when full after a drop.
func sendLatestDropOnce(ch chan int, v int) {
	select {
	case ch <- v:
	default:
		<-ch
	}
}

func TestSendLatestVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(chan int, int)
		wantErr string
	}{
		{"stub (drop newest)", sendLatestDropNewest, "want [5]"},
		{"solution", sendLatestConflate, ""},
		{"blocking send", sendLatestBlocking, "blocked"},
		{"drops oldest without sending", sendLatestDropOnce, "want"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { verdict(t, checkSendLatest(t, c.fn), c.wantErr) })
	}
}
