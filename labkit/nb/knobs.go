package nb

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A Knob is one parameter of an experiment that the reader can move in JupyterLab: a slider
// over numbers or a drop-down of named choices. Make one with [Range], [Steps] or [Choice]
// and hand it to [Live].
type Knob struct {
	name    string
	options []string // what the reader can pick, in order
	def     int      // index of the default in options
	numeric bool     // a slider (options are integers) rather than a drop-down
	err     error    // why the constructor's arguments make no knob; Live reports it
}

// Range is a slider over the integers lo..hi that starts at def.
func Range(name string, lo, hi, def int) Knob {
	switch {
	case lo > hi:
		return Knob{name: name, err: fmt.Errorf("range %d..%d is empty", lo, hi)}
	case hi-lo > 10_000:
		return Knob{name: name, err: fmt.Errorf("range %d..%d has more than 10000 steps: use Steps", lo, hi)}
	}
	steps := make([]int, 0, hi-lo+1)
	for v := lo; v <= hi; v++ {
		steps = append(steps, v)
	}
	return Steps(name, def, steps...)
}

// Steps is a slider over the given increasing numbers (1, 2, 4, 8 … for a bound whose
// interesting values are far apart) that starts at def.
func Steps(name string, def int, values ...int) Knob {
	if !slices.IsSorted(values) || len(slices.Compact(slices.Clone(values))) != len(values) {
		return Knob{name: name, err: fmt.Errorf("steps %v are not strictly increasing", values)}
	}
	options := make([]string, len(values))
	for i, v := range values {
		options[i] = strconv.Itoa(v)
	}
	k := Choice(name, strconv.Itoa(def), options...)
	k.numeric = true
	return k
}

// Choice is a drop-down of named alternatives (strategies, workloads …) that starts at def.
func Choice(name, def string, choices ...string) Knob {
	k := Knob{name: name, options: choices, def: slices.Index(choices, def)}
	switch {
	case len(choices) == 0:
		k.err = errors.New("no choices")
	case k.def < 0:
		k.err = fmt.Errorf("default %q is not one of %q", def, choices)
	case len(slices.Compact(slices.Sorted(slices.Values(choices)))) != len(choices):
		k.err = fmt.Errorf("choices %q repeat a value", choices)
	}
	return k
}

func checkKnobs(knobs []Knob) error {
	if len(knobs) == 0 {
		return errors.New("nb: Live needs at least one knob")
	}
	seen := map[string]bool{}
	for _, k := range knobs {
		switch {
		case strings.TrimSpace(k.name) == "":
			return errors.New("nb: a knob has no name")
		case seen[k.name]:
			return fmt.Errorf("nb: two knobs are named %q", k.name)
		case k.err != nil:
			return fmt.Errorf("nb: knob %q: %w", k.name, k.err)
		case k.options == nil:
			return fmt.Errorf("nb: knob %q was not made by Range, Steps or Choice", k.name)
		}
		seen[k.name] = true
	}
	return nil
}

// Values are the positions of an experiment's knobs for one run.
type Values struct {
	m     map[string]string
	order []string // knob names in the order they were declared, for printing
}

func defaults(knobs []Knob) Values {
	v := Values{m: make(map[string]string, len(knobs))}
	for _, k := range knobs {
		v.m[k.name] = k.options[k.def]
		v.order = append(v.order, k.name)
	}
	return v
}

// with returns v updated from the front end's query string, keeping v's value for any
// knob the query leaves out or sets to something the knob does not offer.
func (v Values) with(knobs []Knob, query string) Values {
	q, _ := url.ParseQuery(query) // a malformed pair is skipped; the others still count
	out := Values{m: make(map[string]string, len(v.m)), order: v.order}
	for _, k := range knobs {
		out.m[k.name] = v.m[k.name]
		if s := q.Get(k.name); slices.Contains(k.options, s) {
			out.m[k.name] = s
		}
	}
	return out
}

// Int is the value of the slider called name. It panics if there is no such numeric knob,
// a mistake in the cell that the first (headless) run reports at once.
func (v Values) Int(name string) int {
	n, err := strconv.Atoi(v.String(name))
	if err != nil {
		panic(fmt.Sprintf("nb: knob %q is not a number (%q)", name, v.m[name]))
	}
	return n
}

// String is the value of the knob called name. It panics if there is no such knob.
func (v Values) String(name string) string {
	s, ok := v.m[name]
	if !ok {
		panic(fmt.Sprintf("nb: no knob named %q (have %q)", name, v.order))
	}
	return s
}

// format lists the values as "name=value, …" in the order the knobs were declared.
func (v Values) format() string {
	parts := make([]string, len(v.order))
	for i, name := range v.order {
		parts[i] = name + "=" + v.m[name]
	}
	return strings.Join(parts, ", ")
}

func (v Values) equal(w Values) bool {
	for name, s := range v.m {
		if w.m[name] != s {
			return false
		}
	}
	return len(v.m) == len(w.m)
}
