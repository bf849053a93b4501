package browsertest

import (
	"errors"
	"time"
)

// LiveOptions says which notebook a live check runs and with which Jupyter.
type LiveOptions struct {
	Notebook string        // path of the .ipynb, e.g. notebooks/01_goroutines.ipynb (required)
	Root     string        // the lab's repository root; default: the current directory
	Python   string        // Python whose Jupyter to start; default: the one in build/jupyter-python
	OutDir   string        // screenshots and jupyter.log; default build/browser
	Timeout  time.Duration // for running the cells; default 10 minutes
	Knob     string        // CheckLive: the slider of a live cell to move before pressing its Done button
}

// LiveReport is what CheckLive saw.
type LiveReport struct {
	FrontEnd    string   // e.g. "JupyterLab 4.6.6"
	Cells       int      // code cells run
	ChartCells  int      // cells whose output holds labkit's chart fragment (.labkit-chart)
	Charts      int      // chart fragments in those outputs (expected charts)
	Drawn       int      // of those, drawn: a canvas of non-zero size with painted pixels
	Timeline    bool     // a chart.Timeline (ECharts custom series) was among the drawn charts
	Failed      int      // exercise checks that failed, as they must on the stubs
	LiveDone    []string // live cells (labkit/nb.Live) ended with their Done button, the cell stopping
	KnobMoves   []string // live cells whose Knob was moved and redrawn with other numbers
	Predicted   []string // the recorded predictions, as the progress view (make progress) shows them
	Screenshots []string // the notebook scrolled to its first chart (a timeline if there is one)
	Problems    []string // each names the cell; empty means the check passed
	Notes       []string // console errors and failed requests of the front end itself (not judged)
}

// ErrNeedsJupyterLab is returned by the checks that only JupyterLab's UI offers (interrupt
// through the toolbar, RISE slides) when setup installed the classic Notebook instead.
var ErrNeedsJupyterLab = errors.New("browsertest: this check needs JupyterLab (setup installed the classic Notebook: no PyPI)")

// LeftoverGrace is how long processes Jupyter started may take to exit after it did,
// before they count as left behind.
var LeftoverGrace = 10 * time.Second

// InterruptOptions says which cell CheckInterrupt starts and interrupts.
type InterruptOptions struct {
	LiveOptions
	Cell  string        // text in the source of the cell to interrupt (the first code cell holding it)
	Ready string        // text in the cell's output that says it is under way (required)
	Bound time.Duration // how long the cell may take to stop after the interrupt; default 20 s
}

// InterruptReport is what CheckInterrupt saw.
type InterruptReport struct {
	FrontEnd   string
	Cell       string        // "cell N (first line)"
	RanFor     time.Duration // from Run to the interrupt
	StoppedIn  time.Duration // from the interrupt to the cell no longer running
	Processes  []string      // what the cell had running at the interrupt (beyond the kernel's own)
	Listeners  []string      // listening sockets those processes held
	Left       []string      // processes and listeners still there after the cell stopped
	Output     string        // the last lines the cell printed
	Screenshot string
	Problems   []string
	Notes      []string
}

// LeftAfterInterrupt is how long what an interrupted cell started may take to go away
// after the cell stopped (GoNB itself kills the cell's program 5 s after its SIGINT).
var LeftAfterInterrupt = 10 * time.Second

// KnobsOptions says which live cell (labkit/nb.Live) CheckKnobs explores.
type KnobsOptions struct {
	LiveOptions
	Setup     []string // text in the source of each cell to run first, in order (what the live cell uses)
	Cell      string   // text in the source of the live cell
	Knob      string   // the slider to move: it is clicked near its right end, a larger value than the default
	Interrupt bool     // instead of moving Knob, press the toolbar's interrupt while the first run is in flight
	Ready     string   // with Interrupt: text in the cell's output that says the run is under way; default "running with"
}

// KnobsReport is what CheckKnobs saw.
type KnobsReport struct {
	FrontEnd      string
	Cell          string
	KernelAtOpen  string        // JupyterLab's kernel status before any cell ran ("unknown" with GoNB)
	Before, After string        // the knob values of the run shown before and after the move
	BeforeText    string        // that run's printed text (last lines)
	AfterText     string        // and the one after the move
	Redrew        time.Duration // from the move to the new run shown (Done) or started (Interrupt)
	Ended         string        // what the knob panel says once the cell stopped
	Processes     []string      // the cell's processes while it was live
	Listeners     []string      // their listening sockets
	Left          []string      // any of those still there after the cell stopped
	Screenshot    string
	Problems      []string
	Notes         []string
}

// SlidesReport is what CheckRISE saw.
type SlidesReport struct {
	FrontEnd string
	URL      string // the preview frame's address (jupyterlab-rise serves decks at /rise/<path>)
	Slides   int    // slides in the deck (leaves: a vertical stack counts its slides)
	Title    string // the first slide's first heading, as shown
	// Overflowing names each slide whose content is taller than the screen (its heading or
	// first words, and by how much); Scrolls says whether such slides scroll (notebooks/rise.css)
	// rather than being cut off.
	Overflowing []string
	Scrolls     bool
	Screenshot  string
	Problems    []string
	Notes       []string
}
