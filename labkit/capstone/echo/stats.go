package echo

import (
	"fmt"
	"sync/atomic"
)

// Stats is a snapshot of a server's counters, taken by Server.Stats.
type Stats struct {
	Accepted     int64 // connections accepted and served
	Refused      int64 // connections turned away because MaxConns were being served
	Active       int64 // connections being served at the time of the snapshot
	Received     int64 // bytes read from clients
	Lines        int64 // lines echoed (a last line cut short by the peer's close counts)
	Bytes        int64 // bytes echoed
	OverLong     int64 // connections closed for a line longer than MaxLineBytes
	IdleTimeouts int64 // connections closed after IdleTimeout without a byte
	// WriteTimeouts counts connections closed because an echo could not be written for
	// WriteTimeout: clients that send but do not read.
	WriteTimeouts int64
	Resets        int64 // connections reset or broken by the peer (ECONNRESET, EPIPE)
	Errors        int64 // other I/O errors
	ForceClosed   int64 // connections cut by Close, or by Shutdown when its context ended
}

// String prints every counter on one line, e.g.
// "accepted=3 refused=0 active=1 received=480 lines=12 bytes=480 overlong=0 idle-timeouts=0 ...".
func (s Stats) String() string {
	return fmt.Sprintf("accepted=%d refused=%d active=%d received=%d lines=%d bytes=%d overlong=%d idle-timeouts=%d write-timeouts=%d resets=%d errors=%d force-closed=%d",
		s.Accepted, s.Refused, s.Active, s.Received, s.Lines, s.Bytes, s.OverLong, s.IdleTimeouts, s.WriteTimeouts, s.Resets, s.Errors, s.ForceClosed)
}

type counters struct {
	accepted, refused, active, received, lines, bytes atomic.Int64
	overLong, idleTimeouts, writeTimeouts             atomic.Int64
	resets, errors, forceClosed                       atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Accepted:      c.accepted.Load(),
		Refused:       c.refused.Load(),
		Active:        c.active.Load(),
		Received:      c.received.Load(),
		Lines:         c.lines.Load(),
		Bytes:         c.bytes.Load(),
		OverLong:      c.overLong.Load(),
		IdleTimeouts:  c.idleTimeouts.Load(),
		WriteTimeouts: c.writeTimeouts.Load(),
		Resets:        c.resets.Load(),
		Errors:        c.errors.Load(),
		ForceClosed:   c.forceClosed.Load(),
	}
}
