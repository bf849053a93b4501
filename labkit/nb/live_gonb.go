package nb

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// gonbFrontEnd reaches the browser through GoNB's comms: the kernel forwards what the
// panel's script sends with gonb_comm to the cell's program.
type gonbFrontEnd struct{}

// mayAnswer: a browser can only be on the other end if a Jupyter server started the kernel
// (it sets JPY_SESSION_NAME; nbclient, nbconvert and `make test` do not). Asking anyway
// would cost the cell GoNB's 3 s wait for a connection that never comes.
func (gonbFrontEnd) mayAnswer() bool {
	return Interactive() &&
		!strings.EqualFold(strings.TrimSpace(os.Getenv("LABKIT_KNOBS")), "off")
}

func (gonbFrontEnd) listen(address string, deliver func(string)) {
	// GoNB calls this on a goroutine of its own per message; deliver returns at once.
	comms.Subscribe(address, func(_ string, msg string) { deliver(msg) })
}

// update sends text/plain beside the HTML, which is what a saved notebook shows where the
// HTML is not rendered, and what text-only readers of the output (tests) see.
func (gonbFrontEnd) update(displayID, html, plain string) {
	gonbui.SendData(&protocol.DisplayData{
		Data:      map[protocol.MIMEType]any{protocol.MIMETextHTML: html, protocol.MIMETextPlain: plain},
		DisplayID: displayID,
	})
}

func (gonbFrontEnd) flush() { gonbui.Sync() }

// panelHTML draws the knobs and the Done button, and the script that reports them to
// address: "hello" once, "set SEQ QUERY" on every change, "done" on the button.
func panelHTML(id, address string, knobs []Knob) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" data-labkit-knobs style="font-family:sans-serif;font-size:13px;`+
		`display:flex;flex-wrap:wrap;gap:1.2em;align-items:center;margin:4px 0">`, id)
	sliders := map[string][]string{}
	for _, k := range knobs {
		name := html.EscapeString(k.name)
		if k.numeric {
			sliders[k.name] = k.options
			fmt.Fprintf(&b, `<label>%s <input type="range" data-knob="%s" min="0" max="%d" step="1" value="%d" `+
				`style="vertical-align:middle"> <output style="display:inline-block;min-width:3ch">%s</output></label>`,
				name, name, len(k.options)-1, k.def, html.EscapeString(k.options[k.def]))
			continue
		}
		fmt.Fprintf(&b, `<label>%s <select data-knob="%s">`, name, name)
		for i, o := range k.options {
			fmt.Fprintf(&b, `<option value="%s"%s>%s</option>`, html.EscapeString(o),
				map[bool]string{true: " selected"}[i == k.def], html.EscapeString(o))
		}
		b.WriteString(`</select></label>`)
	}
	b.WriteString(`<button type="button" data-knob-done>Done</button></div>`)
	js, _ := json.Marshal(map[string]any{"id": id, "address": address, "sliders": sliders})
	// "</" inside the script would end it early; "<\/" means the same to JavaScript.
	fmt.Fprintf(&b, `<script>(function (cfg) {
  var root = document.getElementById(cfg.id) ||
      (document.currentScript && document.currentScript.parentNode.querySelector("#" + cfg.id));
  var comm = globalThis.gonb_comm;
  if (!root || !comm) { return; }
  var seq = 0;
  function value(el) { var o = cfg.sliders[el.dataset.knob]; return o ? o[+el.value] : el.value; }
  function send() {
    var q = new URLSearchParams();
    root.querySelectorAll("[data-knob]").forEach(function (el) { q.set(el.dataset.knob, value(el)); });
    seq = Math.max(seq + 1, Date.now()); // increasing across a page reload too
    comm.send(cfg.address, "set " + seq + " " + q.toString());
  }
  root.querySelectorAll("[data-knob]").forEach(function (el) {
    el.addEventListener("input", function () { if (cfg.sliders[el.dataset.knob]) { el.nextElementSibling.textContent = value(el); } });
    el.addEventListener("change", send);
  });
  root.querySelector("[data-knob-done]").addEventListener("click", function () {
    root.querySelectorAll("input, select, button").forEach(function (el) { el.disabled = true; });
    comm.send(cfg.address, "done");
  });
  comm.send(cfg.address, "hello");
})(%s);</script>`, strings.ReplaceAll(string(js), "</", `<\/`))
	return b.String()
}
