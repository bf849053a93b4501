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

// gonbAnswerer reaches the browser through GoNB's comms: the kernel forwards what the
// buttons' script sends with gonb_comm to the cell's program.
type gonbAnswerer struct{}

// mayAnswer: a browser can only be on the other end if a Jupyter server started the kernel
// (it sets JPY_SESSION_NAME; nbclient, nbconvert and `make test` do not). Asking anyway would
// cost the cell GoNB's wait for a connection that never comes.
func (gonbAnswerer) mayAnswer() bool { return Interactive() }

// Interactive reports whether a reader may be at the other end of this cell: a GoNB cell in a
// kernel that a Jupyter server started (JupyterLab). It is false under nbclient, nbconvert,
// `make test` and outside a notebook, where cells must neither wait for nor record anything.
func Interactive() bool {
	return InNotebook() && os.Getenv("JPY_SESSION_NAME") != ""
}

func (gonbAnswerer) listen(address string, deliver func(string)) {
	comms.Subscribe(address, func(_ string, msg string) { deliver(msg) })
}

func (gonbAnswerer) update(displayID, htmlText, plain string) {
	gonbui.SendData(&protocol.DisplayData{
		Data:      map[protocol.MIMEType]any{protocol.MIMETextHTML: htmlText, protocol.MIMETextPlain: plain},
		DisplayID: displayID,
	})
}

func (gonbAnswerer) flush() { gonbui.Sync() }

func predictStatus(fe answerer, id, text string) {
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
