package nb

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Notebook is one of the lab's notebooks, as its text source (NN_topic.md) describes it.
type Notebook struct {
	Number  string // the two digits that start the file name, e.g. "04"
	Title   string // the H1 without its "NN · " prefix
	Summary string // the first paragraph after the H1 on one line, without a leading "**Seed:**"-style label
	File    string // the notebook users open, e.g. "04_channels.ipynb"
}

var (
	notebookName = regexp.MustCompile(`^([0-9]{2})_[^/]*\.md$`)
	leadingLabel = regexp.MustCompile(`^\*\*[^*]+:\*\*\s*`)
)

// Notebooks lists the notebooks in dir (every NN_*.md text source, in file-name order),
// reading each one's number, title and summary from the file itself, so a list built from
// it cannot fall behind the notebooks. A source without an H1 is an error.
func Notebooks(dir string) ([]Notebook, error) {
	if dir == "" {
		return nil, fmt.Errorf("nb: Notebooks: dir is empty (in a GoNB cell, os.Getenv(%q) names the notebook's folder)", "GONB_DIR")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("nb: Notebooks: %w", err)
	}
	var list []Notebook
	for _, e := range entries { // ReadDir sorts by name, so by number
		m := notebookName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		title, summary, err := describe(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("nb: Notebooks: %w", err)
		}
		list = append(list, Notebook{
			Number:  m[1],
			Title:   strings.TrimPrefix(title, m[1]+" · "),
			Summary: summary,
			File:    strings.TrimSuffix(e.Name(), ".md") + ".ipynb",
		})
	}
	return list, nil
}

// describe returns the first H1 of a jupytext Markdown file (front matter and code
// fences skipped) and the paragraph that follows it.
func describe(path string) (title, summary string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	var (
		sc          = bufio.NewScanner(f)
		frontMatter bool
		inFence     bool
		paragraph   []string
	)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case n == 1 && line == "---":
			frontMatter = true
		case frontMatter:
			frontMatter = line != "---"
		case strings.HasPrefix(line, "```"):
			if len(paragraph) > 0 {
				return title, leadingLabel.ReplaceAllString(strings.Join(paragraph, " "), ""), nil
			}
			inFence = !inFence
		case inFence:
		case title == "":
			if t, ok := strings.CutPrefix(line, "# "); ok {
				title = strings.TrimSpace(t)
			}
		case line == "" || strings.HasPrefix(line, "<!--") || strings.HasPrefix(line, "#"):
			if len(paragraph) > 0 {
				return title, leadingLabel.ReplaceAllString(strings.Join(paragraph, " "), ""), nil
			}
		default:
			paragraph = append(paragraph, strings.TrimSpace(line))
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	if title == "" {
		return "", "", fmt.Errorf("%s has no H1 (a line starting with \"# \")", path)
	}
	return title, leadingLabel.ReplaceAllString(strings.Join(paragraph, " "), ""), nil
}
