// Package httpcost measures what an HTTP server costs to run: the CPU time its process
// spends per request, and the latency its clients see at a given number of concurrent
// clients.
//
// It is notebook 14's twin of [echoproc] for HTTP. A fair comparison puts every server
// in a process of its own and the load client in this one, and reads the server's own CPU
// clock: throughput alone mixes in the client, which on a small machine shares the cores
// and often costs as much per request as the server. [StartSelf] runs a copy of this
// program as the server (the handler is the caller's, served by [ServeIfChild]);
// [StartPython] runs baselines/python/http_server.py, built on Python's
// http.server.ThreadingHTTPServer; [Load] is the client and [Measure] wraps it with the
// CPU clocks.
package httpcost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/internal/cpucost"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
	"github.com/go-concurrency-lab/lab/labkit/proc"
	"github.com/go-concurrency-lab/lab/labkit/timing"
)

// ServerRole is the [proc] role of a server process started by StartSelf.
const ServerRole = "labkit-httpcost-server"

// shutdownGrace bounds the child's graceful shutdown: less than echoproc's wait before
// it kills a server that ignores SIGTERM.
const shutdownGrace = 5 * time.Second

// ServeIfChild turns this process into an HTTP server if StartSelf started it, and
// otherwise returns at once. The server serves h on 127.0.0.1 at a free port, prints
// "listening on ADDR", and runs until SIGTERM, SIGINT or the end of its standard input,
// then shuts down gracefully and exits the process: ServeIfChild never returns in a child.
//
// Call it before the program does anything else: first thing in main or TestMain, or in
// a GoNB notebook in a function named init_something (GoNB turns it into an init
// function, which runs before the cell's code).
func ServeIfChild(h http.Handler) {
	if proc.Role() != ServerRole {
		return
	}
	if err := serveChild(h); err != nil {
		fmt.Fprintln(os.Stderr, "httpcost server:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveChild(h http.Handler) error {
	if h == nil {
		return errors.New("httpcost: ServeIfChild: nil handler")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { // the parent closes our stdin when it is done with us, even if a signal is lost
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Println("listening on", ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return err
	}
	return nil
}

// StartSelf starts a copy of this program as an HTTP server (see ServeIfChild, which the
// copy must call first) and returns once it listens. The copy is killed when ctx is done;
// Close stops it gracefully earlier.
func StartSelf(ctx context.Context) (*echoproc.Server, error) {
	return echoproc.StartSelf(ctx, ServerRole)
}

// StartPython starts baselines/python/http_server.py (ThreadingHTTPServer, HTTP/1.1, the
// paths /hello and /slow?ms=N) on 127.0.0.1 at a free port and returns once it listens.
// It returns an error wrapping [pybaseline.ErrNoPython] when python3 is missing.
func StartPython(ctx context.Context) (*echoproc.Server, error) {
	python, script, err := pybaseline.Script("http_server.py")
	if err != nil {
		return nil, err
	}
	return echoproc.Start(ctx, python, script, "--port", "0", "--watch-stdin")
}

// DefaultTimeout is how long Load waits for one response when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config is a load: Clients goroutines, each sending Requests GET requests for Path one
// after another on its own keep-alive connection.
type Config struct {
	Clients  int
	Requests int    // per client
	Path     string // e.g. "/hello"; "" means "/"
	// Timeout bounds each request (http.Client.Timeout); 0 means DefaultTimeout.
	Timeout time.Duration
}

// Report is what a load saw.
type Report struct {
	Clients    int
	Requests   int           // answered with 200 OK and read to the end
	Elapsed    time.Duration // wall time of the whole load
	Throughput float64       // requests per second
	P50, P99   time.Duration // latency of one request, from sending to the last byte of the body
}

// String is one line, e.g. "clients 16: 8000 requests in 1.2s, 6667 req/s, p50 2.1ms p99 5.3ms".
func (r Report) String() string {
	return fmt.Sprintf("clients %d: %d requests in %v, %.0f req/s, p50 %v p99 %v",
		r.Clients, r.Requests, timing.Round(r.Elapsed), r.Throughput, timing.Round(r.P50), timing.Round(r.P99))
}

// Load runs cfg against the server at addr ("127.0.0.1:PORT") and reports what it saw.
// It returns an error if a request failed, was answered with a status other than 200 or
// ctx was done; the report then covers the requests that succeeded.
func Load(ctx context.Context, addr string, cfg Config) (Report, error) {
	switch {
	case cfg.Clients < 1:
		return Report{}, fmt.Errorf("httpcost: Load: Config.Clients = %d: must be >= 1", cfg.Clients)
	case cfg.Requests < 0:
		return Report{}, fmt.Errorf("httpcost: Load: Config.Requests = %d: must be >= 0", cfg.Requests)
	case cfg.Timeout < 0:
		return Report{}, fmt.Errorf("httpcost: Load: Config.Timeout = %v: must be >= 0", cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	// One idle connection kept per client: the default (2 per host) would close the rest
	// after every request and measure connection setup instead of serving.
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Clients, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: timeout}
	url := "http://" + addr + cfg.Path
	if cfg.Path == "" {
		url += "/"
	}
	latencies := make([][]time.Duration, cfg.Clients)
	errs := make([]error, cfg.Clients)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.Clients {
		wg.Go(func() { latencies[i], errs[i] = getMany(ctx, client, url, cfg.Requests) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	r := Report{Clients: cfg.Clients, Requests: len(all), Elapsed: elapsed,
		P50: timing.Percentile(all, 50), P99: timing.Percentile(all, 99)}
	if elapsed > 0 {
		r.Throughput = float64(len(all)) / elapsed.Seconds()
	}
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("httpcost: Load: %d of %d requests answered: %w", len(all), cfg.Clients*cfg.Requests, firstErr(errs))
	}
	return r, nil
}

// getMany sends n GETs one after another and returns their latencies, stopping at the
// first failure.
func getMany(ctx context.Context, client *http.Client, url string, n int) ([]time.Duration, error) {
	latencies := make([]time.Duration, 0, n)
	for range n {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return latencies, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return latencies, err
		}
		_, err = io.Copy(io.Discard, resp.Body) // to the end, so the connection is reused
		resp.Body.Close()
		switch {
		case err != nil:
			return latencies, err
		case resp.StatusCode != http.StatusOK:
			return latencies, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		latencies = append(latencies, time.Since(start))
	}
	return latencies, nil
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Cost is a load against a server process, with the CPU time each side spent on it.
type Cost struct {
	Report
	CPU echoproc.CPU
}

// ServerPerRequest is the server process's CPU time per request answered.
func (c Cost) ServerPerRequest() time.Duration { return cpucost.PerOp(c.CPU.Server, c.Requests) }

// ClientPerRequest is this process's (the load client's) CPU time per request answered.
func (c Cost) ClientPerRequest() time.Duration { return cpucost.PerOp(c.CPU.Client, c.Requests) }

// ServerCores is how many cores the server kept busy on average during the load.
func (c Cost) ServerCores() float64 { return cpucost.Cores(c.CPU.Server, c.Elapsed) }

// ClientCores is how many cores the load client kept busy on average.
func (c Cost) ClientCores() float64 { return cpucost.Cores(c.CPU.Client, c.Elapsed) }

// MachineCores is how many cores every process on the machine kept busy on average.
func (c Cost) MachineCores() float64 { return cpucost.Cores(c.CPU.Machine, c.Elapsed) }

// String is the report and both sides' CPU cost on one line.
func (c Cost) String() string {
	return fmt.Sprintf("%v; server %v/req (%.2f cores), client %v/req (%.2f cores), machine %.2f cores",
		c.Report, timing.Round(c.ServerPerRequest()), c.ServerCores(),
		timing.Round(c.ClientPerRequest()), c.ClientCores(), c.MachineCores())
}

// Measure runs Load(ctx, srv.Addr(), cfg) and reads the server's, this process's and the
// machine's CPU clocks around it (see [echoproc.MeasureCPU]; Linux only). The server's
// clock ticks in steps of 10 ms, so size the load for a few hundred milliseconds of
// server CPU.
func Measure(ctx context.Context, srv *echoproc.Server, cfg Config) (Cost, error) {
	var r Report
	cpu, err := echoproc.MeasureCPU(srv, func() (err error) {
		r, err = Load(ctx, srv.Addr(), cfg)
		return err
	})
	return Cost{Report: r, CPU: cpu}, err
}
