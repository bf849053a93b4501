package browsertest

import (
	"fmt"
	"regexp"
	"strings"
)

// exitLine is how GoNB reports a cell program that failed (panic, log.Fatal, a failing
// %test): a last stderr line, with an "ok" reply. tests/nblab.py's EXIT_RE is the same rule, and both
// are tested on testdata/gonb_exit_samples.json.
var exitLine = regexp.MustCompile(`(?:^|\n)(?:\^C\n)?(exit status \d+|signal: [a-z ]+)\n?$`)

// numberVerb finds a Printf-style call with a numeric verb: a cell whose main body has one
// promises printed numbers, so its output must hold digits.
var numberVerb = regexp.MustCompile(`(?:Printf|Fprintf|Sprintf)\((?:[^()]|\([^()]*\))*%[-+# 0-9.*]*[dfge]`)

// collapse keeps the first of each repeated message, counting the repeats: a front end
// that logs one error per slide or cell says so once.
func collapse(msgs []string) []string {
	count := map[string]int{}
	var out []string
	for _, m := range msgs {
		if count[m] == 0 {
			out = append(out, m)
		}
		count[m]++
	}
	for i, m := range out {
		if n := count[m]; n > 1 {
			out[i] = fmt.Sprintf("%s (%d times)", m, n)
		}
	}
	return out
}

// liveCell is one code cell as the front end holds it after a run.
type liveCell struct {
	Index   int // among all cells, markdown included
	Prompt  any // execution count (a number) once it ran
	Tags    []string
	Expect  []string // metadata.lab.expect
	Head    string
	Source  string
	Outputs []struct {
		OutputType string         `json:"output_type"`
		Name       string         `json:"name"`
		Text       any            `json:"text"`
		Data       map[string]any `json:"data"`
		Ename      string         `json:"ename"`
		Evalue     string         `json:"evalue"`
	}
	Fragments int // labkit chart fragments in the HTML outputs (set by readCells)
}

func (c liveCell) where() string { return fmt.Sprintf("cell %d (%s)", c.Index, shorten(c.Head)) }

func (c liveCell) tagged(tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// text is what the cell showed as text: stdout, and the plain and Markdown forms of displays.
func (c liveCell) text() (stdout, stderr string) {
	for _, out := range c.Outputs {
		switch {
		case out.OutputType == "stream" && out.Name == "stderr":
			stderr += joinText(out.Text)
		case out.OutputType == "stream":
			stdout += joinText(out.Text)
		default:
			stdout += joinText(out.Data["text/plain"]) + joinText(out.Data["text/markdown"])
		}
	}
	return stdout, stderr
}

// chartFragments counts labkit's chart containers in the cell's HTML outputs.
func (c liveCell) chartFragments() int {
	n := 0
	for _, out := range c.Outputs {
		n += strings.Count(joinText(out.Data["text/html"]), `class="labkit-chart"`)
	}
	return n
}

// judge says whether the cell failed (an error output or GoNB's exit line) and what is wrong
// with it: a cell that did not run, a failure where none is allowed, an exercise check that
// passed on its stub, a chart or numeric print without digits, a missing expected text.
func (c liveCell) judge() (failed bool, problems []string) {
	if _, ok := c.Prompt.(float64); !ok {
		return false, []string{fmt.Sprintf("%s: did not run (prompt %v)", c.where(), c.Prompt)}
	}
	stdout, stderr := c.text()
	var errs []string
	for _, out := range c.Outputs {
		if out.OutputType == "error" {
			errs = append(errs, fmt.Sprintf("error output %s: %s", out.Ename, shorten(out.Evalue)))
		}
	}
	if exitLine.MatchString(stderr) {
		errs = append(errs, "the cell's program failed: "+shorten(lastLines(stderr, 6)))
	}
	failed = len(errs) > 0
	switch {
	case c.tagged("exercise-check"):
		if !failed {
			problems = append(problems, c.where()+": the exercise check passed on the stub (it must fail until the exercise is solved)")
		}
		return failed, problems
	case c.tagged("raises-exception"):
	default:
		for _, e := range errs {
			problems = append(problems, c.where()+": "+e)
		}
	}
	body := c.Source
	if i := strings.Index(body, "\n%%\n"); i >= 0 {
		body = body[i+4:]
	} else if !strings.HasPrefix(body, "%%\n") {
		body = "" // declarations only: nothing of it runs
	}
	if (c.Fragments > 0 || numberVerb.MatchString(body)) && !strings.ContainsAny(stdout, "0123456789") {
		problems = append(problems, c.where()+": prints no numbers (a chart or a numeric Printf must print its values)")
	}
	for _, want := range c.Expect {
		if !strings.Contains(stdout+stderr, want) {
			problems = append(problems, fmt.Sprintf("%s: output lacks the expected %q", c.where(), want))
		}
	}
	return failed, problems
}

func joinText(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		var sb strings.Builder
		for _, s := range v {
			fmt.Fprint(&sb, s)
		}
		return sb.String()
	}
	return ""
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func lastLines(s string, n int) string {
	s = ansi.ReplaceAllString(s, "")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
