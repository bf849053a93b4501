package echoproc

import (
	"context"
	"fmt"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/capstone/internal/cpucost"
	"github.com/go-concurrency-lab/lab/labkit/timing"
)

// Cost is a load run against a server process, with the CPU time each side spent on it.
type Cost struct {
	Report load.Report
	// ServerCPU is the CPU time the server process used during the run, ClientCPU the CPU
	// time this process used: the load client, plus anything else it ran meanwhile.
	ServerCPU, ClientCPU time.Duration
	// MachineCPU is the CPU time every process on the machine used during the run, these
	// two included: what is left over is other programs competing for the same cores.
	MachineCPU time.Duration
}

// ServerPerMessage is the server's CPU time per echoed message.
func (c Cost) ServerPerMessage() time.Duration { return cpucost.PerOp(c.ServerCPU, c.Report.Echoed) }

// ClientPerMessage is the load client's CPU time per echoed message.
func (c Cost) ClientPerMessage() time.Duration { return cpucost.PerOp(c.ClientCPU, c.Report.Echoed) }

// ServerCores is how many cores the server kept busy on average: its CPU time over the
// run's wall time. ClientCores is the same for the client. When the two add up to about
// the machine's core count, the machine, not the server, set the throughput.
func (c Cost) ServerCores() float64 { return cpucost.Cores(c.ServerCPU, c.Report.Elapsed) }

// ClientCores is the load client's CPU time over the run's wall time.
func (c Cost) ClientCores() float64 { return cpucost.Cores(c.ClientCPU, c.Report.Elapsed) }

// MachineCores is how many cores every process on the machine kept busy on average.
func (c Cost) MachineCores() float64 { return cpucost.Cores(c.MachineCPU, c.Report.Elapsed) }

// String is the report's throughput and both sides' CPU cost, e.g.
// "42000 msgs/s; server 10.8µs/msg (0.45 cores), client 25.1µs/msg (1.05 cores); machine 1.9 cores busy".
func (c Cost) String() string {
	return fmt.Sprintf("%.0f msgs/s; server %v/msg (%.2f cores), client %v/msg (%.2f cores); machine %.2f cores busy",
		c.Report.Throughput, timing.Round(c.ServerPerMessage()), c.ServerCores(),
		timing.Round(c.ClientPerMessage()), c.ClientCores(), c.MachineCores())
}

// Plus adds up two runs: their echoes, wall times and CPU times, so that the per-message
// and per-core figures of the sum cover both. The sum's throughput is its echoes over its
// wall time; its other Report fields are c's.
func (c Cost) Plus(d Cost) Cost {
	c.ServerCPU += d.ServerCPU
	c.ClientCPU += d.ClientCPU
	c.MachineCPU += d.MachineCPU
	c.Report.Echoed += d.Report.Echoed
	c.Report.Elapsed += d.Report.Elapsed
	c.Report.Throughput = 0
	if c.Report.Elapsed > 0 {
		c.Report.Throughput = float64(c.Report.Echoed) / c.Report.Elapsed.Seconds()
	}
	return c
}

// Measure runs load.Run(ctx, srv.Addr(), cfg) and reads the server's, this process's and
// the whole machine's CPU clocks before and after it. The server's and the machine's clocks
// tick in steps of 10 ms on most Linux systems, so size the run for a few hundred
// milliseconds of server CPU. It returns load.Run's error, or an error if a CPU clock
// cannot be read (outside Linux).
func Measure(ctx context.Context, srv *Server, cfg load.Config) (Cost, error) {
	var r load.Report
	cpu, err := MeasureCPU(srv, func() (err error) {
		r, err = load.Run(ctx, srv.Addr(), cfg)
		return err
	})
	return Cost{Report: r, ServerCPU: cpu.Server, ClientCPU: cpu.Client, MachineCPU: cpu.Machine}, err
}

// CPU is the CPU time spent while a load ran: by the server process, by this process
// (the load client, plus anything else it ran meanwhile) and by every process on the
// machine, these two included.
type CPU struct {
	Server, Client, Machine time.Duration
}

// MeasureCPU calls run, any load against srv (an HTTP client, say), and reads the
// server's, this process's and the machine's CPU clocks before and after it, as Measure
// does for an echo load. It returns run's error, or an error if a clock cannot be read
// (outside Linux).
func MeasureCPU(srv *Server, run func() error) (CPU, error) {
	before, err := readClocks(srv)
	if err != nil {
		return CPU{}, err
	}
	runErr := run()
	after, err := readClocks(srv)
	if err != nil {
		return CPU{}, err
	}
	return CPU{Server: after[0] - before[0], Client: after[1] - before[1], Machine: after[2] - before[2]}, runErr
}

// readClocks reads the server's, this process's and the machine's CPU time.
func readClocks(srv *Server) ([3]time.Duration, error) {
	var clocks [3]time.Duration
	var err error
	for i, read := range []func() (time.Duration, error){srv.CPU, selfCPU, machineCPU} {
		if clocks[i], err = read(); err != nil {
			return clocks, err
		}
	}
	return clocks, nil
}
