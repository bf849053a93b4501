package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// GracefulRun checks notebook 14's exercise: run must serve h on ln until ctx is done,
// then shut down gracefully — refuse new connections, let every request in flight finish
// and be answered, and return nil only once they have; if they take longer than grace,
// close what is still open and return context.DeadlineExceeded.
func GracefulRun(t *testing.T, run func(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error) {
	t.Helper()
	if err := checkGracefulRun(t, run); err != nil {
		t.Fatal(err)
	}
}

type gracefulRunFunc = func(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error

// Real time, not fake: the reader's server talks over real loopback sockets, which a
// synctest bubble's clock cannot see.
func checkGracefulRun(t *testing.T, run gracefulRunFunc) error {
	t.Helper()
	if run == nil {
		return errors.New("Run is nil")
	}
	if err := runFinishesInFlight(run); err != nil {
		return err
	}
	return runCutsAfterGrace(run)
}

// gatedHandler answers /quick at once; a request for any other path announces itself on
// entered and is answered "done" once release is closed (or dropped when its client leaves).
type gatedHandler struct {
	entered chan struct{}
	release chan struct{}
}

func newGatedHandler() *gatedHandler {
	return &gatedHandler{entered: make(chan struct{}, 1), release: make(chan struct{})}
}

func (g *gatedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/quick" {
		io.WriteString(w, "ok")
		return
	}
	g.entered <- struct{}{}
	select {
	case <-g.release:
		io.WriteString(w, "done")
	case <-r.Context().Done():
	}
}

// runningServer is the reader's Run serving a gatedHandler on a loopback listener.
type runningServer struct {
	addr    string
	h       *gatedHandler
	cancel  context.CancelFunc
	result  chan error
	client  *http.Client
	release func() // idempotent: lets every gated request finish
	// returned says Run's result has been taken from result: stop need not wait for it.
	returned bool
}

// startInFlight starts run and one gated request, and waits until its handler runs; answer
// delivers that request's outcome. The caller stops s.
func startInFlight(run gracefulRunFunc, shutdownGrace time.Duration) (s *runningServer, answer <-chan error, err error) {
	if s, err = startRun(run, shutdownGrace); err != nil {
		return nil, nil, err
	}
	if answer, err = s.enter(); err != nil {
		s.stop()
		return nil, nil, err
	}
	return s, answer, nil
}

func startRun(run gracefulRunFunc, shutdownGrace time.Duration) (*runningServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen on loopback: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{addr: ln.Addr().String(), h: newGatedHandler(), cancel: cancel, result: make(chan error, 1),
		// A fresh connection per request: what the check sees does not depend on idle connections.
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 4 * grace}}
	released := false
	s.release = func() {
		if !released {
			released = true
			close(s.h.release)
		}
	}
	go func() {
		defer ln.Close() // in case Run returns without closing it
		s.result <- run(ctx, ln, s.h, shutdownGrace)
	}()
	return s, nil
}

// get requests path and delivers the body, or an error, on the returned channel.
func (s *runningServer) get(path string) <-chan error {
	done := make(chan error, 1)
	go func() {
		resp, err := s.client.Get("http://" + s.addr + path)
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && (resp.StatusCode != http.StatusOK || string(body) != "done") {
			err = fmt.Errorf("got %s %q, want 200 OK \"done\"", resp.Status, body)
		}
		done <- err
	}()
	return done
}

// stop ends a check: it lets every request finish and waits a while for Run to return,
// so that a wrong Run leaves nothing behind.
func (s *runningServer) stop() {
	s.cancel()
	s.release()
	if !s.returned {
		await(s.result, 4*grace)
	}
	s.client.CloseIdleConnections()
}

// enter starts a gated request and waits until its handler runs.
func (s *runningServer) enter() (<-chan error, error) {
	quick, err := s.client.Get("http://" + s.addr + "/quick")
	if err != nil {
		return nil, fmt.Errorf("before ctx was done, GET /quick failed: %v: serve h on ln", err)
	}
	io.Copy(io.Discard, quick.Body)
	quick.Body.Close()
	answer := s.get("/slow")
	if _, ok := await(s.h.entered, 2*grace); !ok {
		return nil, fmt.Errorf("a request was not handed to h within %v", 2*grace)
	}
	select {
	case err := <-s.result:
		return nil, fmt.Errorf("Run returned %v before its context was done", err)
	default:
	}
	return answer, nil
}

// refusing waits until the server refuses new connections, for grace at most.
func (s *runningServer) refusing() bool {
	for deadline := time.Now().Add(grace); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", s.addr, grace)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return true
		}
		if err == nil {
			conn.Close()
		}
	}
	return false
}

// runFinishesInFlight: a request in flight when ctx is done must be answered in full,
// new connections refused meanwhile, and Run must return nil only after the answer.
func runFinishesInFlight(run gracefulRunFunc) (err error) {
	s, answer, err := startInFlight(run, 4*grace) // grace enough: this request is released long before
	if err != nil {
		return err
	}
	defer s.stop()
	s.cancel()
	if !s.refusing() {
		return fmt.Errorf("%v after ctx was done, the server still accepted new connections: stop accepting "+
			"(srv.Shutdown closes the listener)", grace)
	}
	cutOff := func(err error) error {
		return fmt.Errorf("a request in flight when ctx was done was cut off (its client got: %v): let requests "+
			"in flight finish — srv.Shutdown, not srv.Close", err)
	}
	select { // the request is still held by the handler: nothing may end yet
	case err := <-answer:
		return cutOff(err)
	case err := <-s.result:
		s.returned = true
		if cut, ok := await(answer, grace); ok { // Run cut the request, and then returned
			return cutOff(cut)
		}
		return fmt.Errorf("Run returned %v while a request was still being handled: srv.Serve returns "+
			"http.ErrServerClosed as soon as Shutdown starts — wait for Shutdown to return, not for Serve", err)
	case <-time.After(grace):
	}
	s.release()
	if err, ok := await(answer, 2*grace); !ok || err != nil {
		return fmt.Errorf("the request in flight was not answered in full after its handler finished (%v)", err)
	}
	err, ok := await(s.result, 2*grace)
	s.returned = ok
	switch {
	case !ok:
		return fmt.Errorf("Run did not return within %v after the last request finished", 2*grace)
	case err != nil:
		return fmt.Errorf("Run returned %v after a clean shutdown, want nil (http.ErrServerClosed only means "+
			"Shutdown has started)", err)
	}
	return nil
}

// runCutsAfterGrace: a request that never finishes must not hold Run for longer than
// grace; then its connection must be closed and Run must return context.DeadlineExceeded.
func runCutsAfterGrace(run gracefulRunFunc) error {
	const shutdownGrace = 200 * time.Millisecond
	s, answer, err := startInFlight(run, shutdownGrace)
	if err != nil {
		return err
	}
	defer s.stop()
	s.cancel() // the handler is never released while Run runs
	err, s.returned = await(s.result, shutdownGrace+2*grace)
	switch {
	case !s.returned:
		return fmt.Errorf("with a request that never finishes, Run had not returned %v after ctx was done, with "+
			"grace %v: give Shutdown a context that expires after grace", shutdownGrace+2*grace, shutdownGrace)
	case !errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("with a request still running after grace, Run returned %v, want context.DeadlineExceeded", err)
	}
	select {
	case err := <-answer:
		if err == nil {
			return errors.New("the stuck request was answered although its handler never finished")
		}
		return nil // closed: the client got an error
	case <-time.After(grace):
		return fmt.Errorf("Run returned after grace but left the stuck request's connection open: after grace, " +
			"close what is left (srv.Close)")
	}
}
