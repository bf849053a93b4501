//go:build !linux

package browsertest

import (
	"context"
	"errors"
	"time"
)

// LiveOptions says which notebook a live check runs and with which Jupyter.
type LiveOptions struct {
	Notebook, Root, Python, OutDir, Knob string
	Timeout                              time.Duration
}

// LiveReport is what CheckLive saw.
type LiveReport struct {
	FrontEnd                                 string
	Cells, ChartCells, Charts, Drawn, Failed int
	LiveDone, KnobMoves                      []string
	Timeline                                 bool
	Screenshots, Problems, Notes             []string
}

// InterruptOptions says which cell CheckInterrupt starts and interrupts.
type InterruptOptions struct {
	LiveOptions
	Cell, Ready string
	Bound       time.Duration
}

// InterruptReport is what CheckInterrupt saw.
type InterruptReport struct {
	FrontEnd, Cell             string
	RanFor, StoppedIn          time.Duration
	Processes, Listeners, Left []string
	Output, Screenshot         string
	Problems, Notes            []string
}

// KnobsOptions says which live cell CheckKnobs explores.
type KnobsOptions struct {
	LiveOptions
	Setup     []string
	Cell      string
	Knob      string
	Interrupt bool
	Ready     string
}

// KnobsReport is what CheckKnobs saw.
type KnobsReport struct {
	FrontEnd, Cell, KernelAtOpen         string
	Before, After, BeforeText, AfterText string
	Redrew                               time.Duration
	Ended                                string
	Processes, Listeners, Left           []string
	Screenshot                           string
	Problems, Notes                      []string
}

// SlidesReport is what CheckRISE saw.
type SlidesReport struct {
	FrontEnd, URL, Title, Screenshot string
	Slides                           int
	Problems, Notes                  []string
}

// ErrNeedsJupyterLab is returned by the checks that only JupyterLab's UI offers.
var ErrNeedsJupyterLab = errors.New("browsertest: this check needs JupyterLab (setup installed the classic Notebook: no PyPI)")

var errLinuxOnly = errors.New("browsertest: the live front-end checks run on Linux only (they follow Jupyter's kernels through /proc)")

// CheckLive needs Linux: it follows Jupyter's kernels through /proc to prove none is left.
func (b *Browser) CheckLive(ctx context.Context, o LiveOptions) (LiveReport, error) {
	return LiveReport{}, errLinuxOnly
}

// CheckInterrupt needs Linux, as CheckLive does.
func (b *Browser) CheckInterrupt(ctx context.Context, o InterruptOptions) (InterruptReport, error) {
	return InterruptReport{}, errLinuxOnly
}

// CheckRISE needs Linux, as CheckLive does.
func (b *Browser) CheckRISE(ctx context.Context, o LiveOptions) (SlidesReport, error) {
	return SlidesReport{}, errLinuxOnly
}

// CheckKnobs needs Linux, as CheckLive does.
func (b *Browser) CheckKnobs(ctx context.Context, o KnobsOptions) (KnobsReport, error) {
	return KnobsReport{}, errLinuxOnly
}
