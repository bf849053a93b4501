//go:build !linux

package browsertest

import (
	"context"
	"errors"
)

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
