package nb

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Guess is one answer the reader can click under a Predict prompt: a label ("about 2×")
// and the number it stands for, which [Measured] compares with what a later cell measures.
type Guess struct {
	Label string
	Value float64
}

// About is the Guess "about N×" for a ratio such as a speedup.
func About(n float64) Guess {
	return Guess{Label: fmt.Sprintf("about %s×", trimFloat(n)), Value: n}
}

// Prediction is what the reader answered to one prompt and what was measured last.
type Prediction struct {
	ID          string    `json:"id"` // "NN/name": the notebook's number, then a name
	Question    string    `json:"question,omitempty"`
	Choices     []Guess   `json:"choices,omitempty"`
	Answer      Guess     `json:"answer"`
	AnsweredAt  time.Time `json:"answered_at"`
	Measured    float64   `json:"measured,omitempty"`
	MeasuredAs  string    `json:"measured_as,omitempty"` // the measurement as the cell printed it
	MeasuredAt  time.Time `json:"measured_at,omitzero"`
	HasMeasured bool      `json:"has_measured,omitempty"`
}

// Notebook is the number of the notebook the prediction belongs to ("01").
func (p Prediction) Notebook() string { n, _, _ := strings.Cut(p.ID, "/"); return n }

// Closest is the choice nearest the measurement (by ratio), and whether there is one.
func (p Prediction) Closest() (Guess, bool) {
	if !p.HasMeasured || len(p.Choices) == 0 {
		return Guess{}, false
	}
	return slices.MinFunc(p.Choices, func(a, b Guess) int {
		return cmp.Compare(distance(a.Value, p.Measured), distance(b.Value, p.Measured))
	}), true
}

// Right reports whether the reader picked a choice nearest the measurement (of two
// equally near, either counts).
func (p Prediction) Right() bool {
	c, ok := p.Closest()
	return ok && distance(p.Answer.Value, p.Measured) <= distance(c.Value, p.Measured)
}

func distance(a, b float64) float64 {
	if a > 0 && b > 0 {
		return math.Abs(math.Log(a / b))
	}
	return math.Abs(a - b)
}

// DataDir is where the lab keeps what belongs to the reader and not to the repository
// (the predictions): $LABKIT_DATA_DIR if set; else $XDG_DATA_HOME/go-concurrency-lab; else
// ~/Library/Application Support/go-concurrency-lab on macOS, %AppData%\go-concurrency-lab on
// Windows and ~/.local/share/go-concurrency-lab elsewhere.
func DataDir() (string, error) {
	if d := os.Getenv("LABKIT_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "go-concurrency-lab"), nil
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("nb: no data directory: %w", err)
		}
		return filepath.Join(d, "go-concurrency-lab"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("nb: no data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "go-concurrency-lab"), nil
}

// predictionsFile is an append-only JSON Lines log, so that two cells' programs writing at
// once (a click and a measurement) never lose each other's line; the last line per id wins.
const predictionsFile = "predictions.jsonl"

type event struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"` // "predicted" or "measured"
	Question string    `json:"question,omitempty"`
	Choices  []Guess   `json:"choices,omitempty"`
	Answer   *Guess    `json:"answer,omitempty"`
	Value    float64   `json:"value,omitempty"`
	Text     string    `json:"text,omitempty"`
	At       time.Time `json:"at"`
}

var storeMu sync.Mutex // orders appends within one program

func appendEvent(e event) error {
	dir, err := DataDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("nb: recording a prediction: %w", err)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("nb: recording a prediction: %w", err)
	}
	storeMu.Lock()
	defer storeMu.Unlock()
	f, err := os.OpenFile(filepath.Join(dir, predictionsFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("nb: recording a prediction: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("nb: recording a prediction: %w", err)
	}
	return nil
}

// Predictions reads the reader's recorded predictions from [DataDir], ordered by id. A
// missing file means none yet; a damaged line is skipped (the others still count).
func Predictions() ([]Prediction, error) {
	dir, err := DataDir()
	if err != nil {
		return nil, err
	}
	return PredictionsIn(dir)
}

// PredictionsIn is [Predictions] read from the data directory dir (a test's, say).
func PredictionsIn(dir string) ([]Prediction, error) {
	f, err := os.Open(filepath.Join(dir, predictionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nb: reading predictions: %w", err)
	}
	defer f.Close()
	byID := map[string]*Prediction{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.ID == "" {
			continue
		}
		p := byID[e.ID]
		if p == nil {
			p = &Prediction{ID: e.ID}
			byID[e.ID] = p
		}
		switch {
		case e.Kind == "predicted" && e.Answer != nil:
			// A new answer starts afresh: an older measurement belongs to the older answer.
			*p = Prediction{ID: e.ID, Question: e.Question, Choices: e.Choices, Answer: *e.Answer, AnsweredAt: e.At}
		case e.Kind == "measured":
			p.Measured, p.MeasuredAs, p.MeasuredAt, p.HasMeasured = e.Value, e.Text, e.At, true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("nb: reading predictions: %w", err)
	}
	var out []Prediction
	for _, p := range byID {
		if !p.AnsweredAt.IsZero() {
			out = append(out, *p)
		}
	}
	slices.SortFunc(out, func(a, b Prediction) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func lookup(id string) (Prediction, bool) {
	ps, err := Predictions()
	if err != nil {
		return Prediction{}, false
	}
	i := slices.IndexFunc(ps, func(p Prediction) bool { return p.ID == id })
	if i < 0 {
		return Prediction{}, false
	}
	return ps[i], true
}

var predictionID = regexp.MustCompile(`^[0-9]{2}/[a-z0-9][a-z0-9-]*$`)

// HeadlessPredictLine is what Predict prints where nobody can click an answer.
const HeadlessPredictLine = "(Predictions are recorded in JupyterLab; this run records none.)"

// Predict offers the reader one-click answers to a Predict prompt and records the click
// under the reader's [DataDir] — never in the notebook — for a later cell's [Measured] to
// compare. id is "NN/name" (the notebook's number and a name unique in it). In JupyterLab
// the cell waits until the reader clicks an answer or "skip", interrupts (■), or
// ten minutes pass. Where nobody can click (nbclient, `make test`, exports, VS Code, a
// plain `go run`) it records nothing, prints [HeadlessPredictLine] and returns at once.
//
// Predict panics on a malformed id or fewer than two guesses: a mistake in the cell.
func Predict(id string, guesses ...Guess) {
	predict(gonbAnswerer{}, id, guesses)
}

// Measured prints "you predicted …, measured …" under the measuring cell's chart and
// records the measurement beside the reader's answer to the prompt id; shown is the
// measurement as the cell prints it ("1.9×"). Where nobody could have clicked (see
// [Predict]) it prints and records nothing, so headless outputs do not depend on the
// reader's files.
func Measured(id string, value float64, shown string) {
	measured(gonbAnswerer{}, id, value, shown)
}

func checkPrediction(id string, guesses []Guess) {
	if !predictionID.MatchString(id) {
		panic(fmt.Sprintf("nb: prediction id %q is not \"NN/name\" (a notebook number, a lower-case name)", id))
	}
	if len(guesses) < 2 {
		panic(fmt.Sprintf("nb: prediction %q needs at least two guesses", id))
	}
	seen := map[string]bool{}
	for _, g := range guesses {
		if strings.TrimSpace(g.Label) == "" || seen[g.Label] {
			panic(fmt.Sprintf("nb: prediction %q: guess labels must be non-empty and distinct", id))
		}
		seen[g.Label] = true
	}
}

// predictWait is how long Predict waits for the buttons' first message; predictIdle how
// long for a click (shortened by the tests).
var (
	predictWait = 2 * time.Second
	predictIdle = 10 * time.Minute
)

func predict(fe frontEnd, id string, guesses []Guess) {
	checkPrediction(id, guesses)
	if !fe.mayAnswer() {
		fmt.Println(HeadlessPredictLine)
		return
	}
	panel := UniqueID("labkit-predict-")
	address := "/labkit/predict/" + panel
	msgs := make(chan string, 16)
	fe.listen(address, func(m string) {
		select {
		case msgs <- m:
		default: // a flood of clicks: the first ones decide
		}
	})
	earlier, had := lookup(id)
	fe.update(panel, predictHTML(panel, address, guesses, earlier.Answer.Label), "")
	fe.flush()

	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)
	hello := time.NewTimer(predictWait)
	defer hello.Stop()
	idle := time.NewTimer(predictIdle)
	defer idle.Stop()
	answered := false
	for {
		select {
		case m := <-msgs:
			verb, arg, _ := strings.Cut(m, " ")
			switch verb {
			case "hello":
				answered = true
				hello.Stop()
			case "skip":
				predictStatus(fe, panel, "No answer recorded"+keptLine(earlier, had)+".")
				return
			case "pick":
				if recordPick(fe, panel, id, guesses, arg) {
					return
				}
			}
		case <-hello.C:
			if !answered {
				fe.update(panel, "", "")
				fmt.Println(HeadlessPredictLine)
				return
			}
		case <-idle.C:
			predictStatus(fe, panel, "No answer after "+predictIdle.String()+keptLine(earlier, had)+".")
			return
		case <-interrupt:
			predictStatus(fe, panel, "Interrupted; no answer recorded"+keptLine(earlier, had)+".")
			return
		}
	}
}

// recordPick records the guess labelled label as id's prediction and says so in the
// panel (or why it could not); it returns false if no guess has that label.
func recordPick(fe frontEnd, panel, id string, guesses []Guess, label string) bool {
	i := slices.IndexFunc(guesses, func(g Guess) bool { return g.Label == label })
	if i < 0 {
		return false
	}
	g := guesses[i]
	if err := appendEvent(event{ID: id, Kind: "predicted", Choices: guesses, Answer: &g, At: time.Now()}); err != nil {
		predictStatus(fe, panel, err.Error())
		return true
	}
	predictStatus(fe, panel, "You predicted "+g.Label+". Recorded; run the measuring cell to compare.")
	fe.flush()
	return true
}

func keptLine(p Prediction, had bool) string {
	if !had {
		return ""
	}
	return "; your earlier answer " + p.Answer.Label + " stands"
}

func measured(fe frontEnd, id string, value float64, shown string) {
	if !predictionID.MatchString(id) {
		panic(fmt.Sprintf("nb: prediction id %q is not \"NN/name\"", id))
	}
	if !fe.mayAnswer() {
		return
	}
	p, ok := lookup(id)
	if !ok {
		fmt.Printf("Measured %s. (No prediction recorded for %s: click one above the experiment next time.)\n", shown, id)
		return
	}
	if err := appendEvent(event{ID: id, Kind: "measured", Value: value, Text: shown, At: time.Now()}); err != nil {
		fmt.Println(err)
	}
	p.Measured, p.MeasuredAs, p.HasMeasured = value, shown, true
	fmt.Println(p.Verdict())
}

// Verdict is one line: "You predicted about 2×, measured 1.9× — the nearest choice."
func (p Prediction) Verdict() string {
	if !p.HasMeasured {
		return fmt.Sprintf("You predicted %s; not measured yet.", p.Answer.Label)
	}
	line := fmt.Sprintf("You predicted %s, measured %s", p.Answer.Label, p.MeasuredAs)
	if c, ok := p.Closest(); ok && p.Right() {
		line += " — the nearest choice."
	} else if ok {
		line += " — nearest was " + c.Label + "."
	}
	return line
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
