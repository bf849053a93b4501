package nb

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strings"
)

// gonbAnswerer is Live's GoNB front end (comms to the browser), answerable wherever a
// reader may be: LABKIT_KNOBS=off turns off knobs, not predictions.
type gonbAnswerer struct{ gonbFrontEnd }

func (gonbAnswerer) mayAnswer() bool { return Interactive() }

// Interactive reports whether a reader may be at the other end of this cell: a GoNB cell in a
// kernel that a Jupyter server started (JupyterLab). It is false under nbclient, nbconvert,
// `make test` and outside a notebook, where cells must neither wait for nor record anything.
func Interactive() bool {
	return InNotebook() && os.Getenv("JPY_SESSION_NAME") != ""
}

func predictStatus(fe frontEnd, id, text string) {
	fe.update(id, `<div data-labkit-prediction style="font-family:sans-serif;font-size:13px;color:#555">`+
		html.EscapeString(text)+`</div>`, text)
	fe.flush()
}

// predictHTML draws one button per guess and "skip"; its script sends "hello" once, then
// "pick LABEL" or "skip" to address.
func predictHTML(id, address string, guesses []Guess, earlier string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" data-labkit-predict style="font-family:sans-serif;font-size:13px;margin:4px 0">`+
		`Your prediction: `, id)
	for _, g := range guesses {
		mark := ""
		if g.Label == earlier {
			mark = ` title="your earlier answer" style="font-weight:bold"`
		}
		fmt.Fprintf(&b, `<button type="button" data-guess="%s"%s>%s</button> `,
			html.EscapeString(g.Label), mark, html.EscapeString(g.Label))
	}
	b.WriteString(`<button type="button" data-skip>skip</button></div>`)
	js, _ := json.Marshal(map[string]string{"id": id, "address": address})
	fmt.Fprintf(&b, `<script>(function (cfg) {
  var root = document.getElementById(cfg.id) ||
      (document.currentScript && document.currentScript.parentNode.querySelector("#" + cfg.id));
  var comm = globalThis.gonb_comm;
  if (!root || !comm) { return; }
  function off() { root.querySelectorAll("button").forEach(function (el) { el.disabled = true; }); }
  root.querySelectorAll("[data-guess]").forEach(function (el) {
    el.addEventListener("click", function () { off(); comm.send(cfg.address, "pick " + el.dataset.guess); });
  });
  root.querySelector("[data-skip]").addEventListener("click", function () { off(); comm.send(cfg.address, "skip"); });
  comm.send(cfg.address, "hello");
})(%s);</script>`, strings.ReplaceAll(string(js), "</", `<\/`))
	return b.String()
}
