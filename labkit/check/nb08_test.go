package check

import "testing"

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

// Wrong: keeps only the newest, emptying the channel before every send.
func sendLatestDrainAll(ch chan int, v int) {
	for len(ch) > 0 {
		<-ch
	}
	ch <- v
}

func TestSendLatestVerdicts(t *testing.T) {
	runVerdicts(t, checkSendLatest, []verdictCase[sendLatestFunc]{
		{"stub (drop newest)", sendLatestDropNewest, "want [5]", false},
		{"solution", sendLatestConflate, "", false},
		{"blocking send", sendLatestBlocking, "blocked", false},
		{"drops oldest without sending", sendLatestDropOnce, "want", false},
		{"empties the channel first", sendLatestDrainAll, "want [8 9 10]", false},
		{"nil", nil, "nil", false},
	})
}
