// Package labroot finds the lab's checkout, where the packages that run the lab's own
// programs and scripts (cmd/echo-server, baselines/python) find them.
package labroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Dir returns the lab's checkout: $LABKIT_ROOT if set, else the checkout this package was
// built from. want is a slash-separated path that must exist in it ("baselines/python"),
// so that a wrong $LABKIT_ROOT is an error that says what is missing, not a failure later.
func Dir(want string) (string, error) {
	root := os.Getenv("LABKIT_ROOT")
	if root == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", errors.New("labroot: cannot locate the lab's source tree; set LABKIT_ROOT")
		}
		root = filepath.Join(filepath.Dir(file), "..", "..", "..")
	}
	root = filepath.Clean(root)
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(want))); err != nil {
		return "", fmt.Errorf("labroot: %s has no %s (set LABKIT_ROOT to the lab's checkout): %w", root, want, err)
	}
	return root, nil
}
