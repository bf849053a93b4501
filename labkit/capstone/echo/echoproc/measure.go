package echoproc

import (
	"context"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/timing"
)

// Cost is a load run against a server process, with the CPU time each side spent on it.
type Cost struct {
	Report load.Report
	// ServerCPU is the CPU time the server process used during the run, ClientCPU the CPU
	// time this process used: the load client, plus anything else it ran meanwhile.
	ServerCPU, ClientCPU time.Duration
}

// ServerPerMessage is the server's CPU time per echoed message.
func (c Cost) ServerPerMessage() time.Duration { return perMessage(c.ServerCPU, c.Report.Echoed) }

// ClientPerMessage is the load client's CPU time per echoed message.
func (c Cost) ClientPerMessage() time.Duration { return perMessage(c.ClientCPU, c.Report.Echoed) }

// ServerCores is how many cores the server kept busy on average: its CPU time over the
// run's wall time. ClientCores is the same for the client. When the two add up to about
// the machine's core count, the machine, not the server, set the throughput.
func (c Cost) ServerCores() float64 { return cores(c.ServerCPU, c.Report.Elapsed) }

// ClientCores is the load client's CPU time over the run's wall time.
func (c Cost) ClientCores() float64 { return cores(c.ClientCPU, c.Report.Elapsed) }

// String is the report's throughput and both sides' CPU cost, e.g.
// "42000 msgs/s; server 10.8µs/msg (0.45 cores), client 25.1µs/msg (1.05 cores)".
func (c Cost) String() string {
	return fmt.Sprintf("%.0f msgs/s; server %v/msg (%.2f cores), client %v/msg (%.2f cores)",
		c.Report.Throughput, timing.Round(c.ServerPerMessage()), c.ServerCores(),
		timing.Round(c.ClientPerMessage()), c.ClientCores())
}

// Measure runs load.Run(ctx, srv.Addr(), cfg) and reads the server's and this process's
// CPU clocks before and after it. The server's clock ticks in steps of 10 ms on most
// Linux systems, so size the run for a few hundred milliseconds of server CPU. It returns
// load.Run's error, or an error if a CPU clock cannot be read (outside Linux).
func Measure(ctx context.Context, srv *Server, cfg load.Config) (Cost, error) {
	server0, err := srv.CPU()
	if err != nil {
		return Cost{}, err
	}
	client0, err := selfCPU()
	if err != nil {
		return Cost{}, err
	}
	r, runErr := load.Run(ctx, srv.Addr(), cfg)
	client1, err := selfCPU()
	if err != nil {
		return Cost{}, err
	}
	server1, err := srv.CPU()
	if err != nil {
		return Cost{}, err
	}
	return Cost{Report: r, ServerCPU: server1 - server0, ClientCPU: client1 - client0}, runErr
}

func perMessage(cpu time.Duration, n int64) time.Duration {
	if n == 0 {
		return 0
	}
	return cpu / time.Duration(n)
}

func cores(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds()
}
