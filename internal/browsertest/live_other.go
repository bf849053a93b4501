//go:build !linux

package browsertest

import (
	"context"
	"errors"
	"time"
)

// LiveOptions says which notebook CheckLive runs and with which Jupyter.
type LiveOptions struct {
	Notebook, Root, Python, OutDir string
	Timeout                        time.Duration
}

// LiveReport is what CheckLive saw.
type LiveReport struct {
	FrontEnd              string
	Cells, Charts, Drawn  int
	Timeline              bool
	Screenshots, Problems []string
	Notes                 []string
}

// CheckLive needs Linux: it follows Jupyter's kernels through /proc to prove none is left.
func (b *Browser) CheckLive(ctx context.Context, o LiveOptions) (LiveReport, error) {
	return LiveReport{}, errors.New("browsertest: the live front-end check runs on Linux only")
}
