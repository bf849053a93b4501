//go:build !linux

package browsertest

import "context"

// StartBackground is Start here; on Linux its browser runs only on idle CPU time.
func StartBackground(ctx context.Context) (*Browser, error) { return Start(ctx) }
