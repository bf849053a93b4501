package check

import (
	"strings"
	"testing"
)

// verdict fails t unless err is what a check should say: nil when wantErr is empty, else an
// error containing wantErr.
func verdict(t *testing.T, err error, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("want pass, got %v", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("want error containing %q, got %v", wantErr, err)
	}
}
