package check

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// The stub notebook 14 ships (exercise "graceful_run"): closes the server the moment ctx
// is done, cutting the requests in flight.
func gracefulRunStub(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	context.AfterFunc(ctx, func() { srv.Close() }) // TODO: this cuts the requests in flight
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// The reference solution (notebooks/solutions/14_http_services/graceful_run.gocell).
func gracefulRunSolution(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // the server failed before ctx was done
	case <-ctx.Done():
	}
	// ctx is done: the shutdown needs a context of its own, bounded by grace.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx) // Serve returns ErrServerClosed at once; this waits
	if err != nil {
		srv.Close() // grace is over: cut what is left
	}
	<-served
	return err
}

// Wrong: the common main — Shutdown in a goroutine, return when Serve returns, which it
// does as soon as Shutdown starts.
func gracefulRunReturnsWithServe(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if srv.Shutdown(shutdownCtx) != nil {
			srv.Close()
		}
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Wrong: hands Shutdown the ctx that is already done, so it returns at once.
func gracefulRunDoneCtx(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	<-ctx.Done()
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close()
	}
	<-served
	return err
}

// Wrong: no bound on the shutdown, so a request that never finishes holds Run for ever.
func gracefulRunNoGrace(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	<-ctx.Done()
	err := srv.Shutdown(context.Background())
	<-served
	return err
}

// Wrong: bounded by grace, but what is left after grace is never closed.
func gracefulRunNoClose(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	<-served
	return err
}

// Wrong: graceful, but returns Serve's http.ErrServerClosed instead of Shutdown's result.
func gracefulRunServeErr(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if srv.Shutdown(shutdownCtx) != nil {
		srv.Close()
	}
	return <-served
}

func TestGracefulRunVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      gracefulRunFunc
		wantErr string
	}{
		{"stub (Close at once)", gracefulRunStub, "cut off"},
		{"solution", gracefulRunSolution, ""},
		{"returns when Serve returns", gracefulRunReturnsWithServe, "wait for Shutdown to return"},
		{"Shutdown given the done ctx", gracefulRunDoneCtx, "cut off"},
		{"no grace deadline", gracefulRunNoGrace, "expires after grace"},
		{"nothing closed after grace", gracefulRunNoClose, "left the stuck request's connection open"},
		{"returns ErrServerClosed", gracefulRunServeErr, "want nil"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			verdict(t, checkGracefulRun(t, c.fn), c.wantErr)
		})
	}
}
