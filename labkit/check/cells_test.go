package check

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// stubCell returns the source of the exercise stub cell named exercise in the notebook at
// path. The sync tests compare it with the stub copies the verdict tests run, so a change
// to a notebook's stub cannot silently leave its check untested.
func stubCell(t *testing.T, path, exercise string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Source   any `json:"source"`
			Metadata struct {
				Tags []string `json:"tags"`
				Lab  struct {
					Exercise string `json:"exercise"`
				} `json:"lab"`
			} `json:"metadata"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, c := range nb.Cells {
		if c.Metadata.Lab.Exercise != exercise || !slices.Contains(c.Metadata.Tags, "exercise-stub") {
			continue
		}
		switch src := c.Source.(type) {
		case string:
			return src
		case []any:
			var b strings.Builder
			for _, line := range src {
				s, _ := line.(string)
				b.WriteString(s)
			}
			return b.String()
		}
	}
	t.Fatalf("%s: no stub cell for exercise %q", path, exercise)
	return ""
}

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
