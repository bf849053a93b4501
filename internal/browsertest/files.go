package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// copyForLive copies the notebook with its bootstrap cell pointed at root by absolute path.
func copyForLive(src, dst, root string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		return fmt.Errorf("browsertest: %s: %w", src, err)
	}
	cells, _ := nb["cells"].([]any)
	found := false
	for _, c := range cells {
		cell, _ := c.(map[string]any)
		src := joinText(cell["source"])
		if cell["cell_type"] == "code" && strings.Contains(src, "${GONB_DIR}/..") {
			cell["source"] = strings.ReplaceAll(src, "${GONB_DIR}/..", root)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("browsertest: %s has no bootstrap cell with ${GONB_DIR}/.. to point at the repository", src)
	}
	out, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, out, 0o644)
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
