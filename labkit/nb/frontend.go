package nb

import "os"

// vscodeHostVars are variables VS Code's extension host runs with, and so every kernel VS
// Code's notebook UI starts (GoNB passes its environment on to each cell's program). VS
// Code's integrated terminal drops them from the shells it starts, so a JupyterLab launched
// from that terminal (as the lab's devcontainer does) does not hand them to its kernels.
// JPY_SESSION_NAME tells nothing apart: jupyter_server sets it, and so do recent versions
// of VS Code's Jupyter extension.
var vscodeHostVars = []string{
	"VSCODE_PID", "VSCODE_CWD", "VSCODE_AMD_ENTRYPOINT", "VSCODE_HANDLES_UNCAUGHT_ERRORS",
	"VSCODE_CRASH_REPORTER_PROCESS_TYPE", "VSCODE_NLS_CONFIG", "VSCODE_ESM_ENTRYPOINT",
}

// InVSCode reports whether the kernel running this cell was started by VS Code's own
// notebook UI rather than by Jupyter: there the cells run and printed text shows, but HTML
// and JavaScript outputs (every chart, progress bars) are not rendered, so a cell can point
// the reader to JupyterLab instead of leaving blank charts.
func InVSCode() bool { return inVSCode(os.LookupEnv) }

func inVSCode(lookup func(string) (string, bool)) bool {
	for _, v := range vscodeHostVars {
		if _, ok := lookup(v); ok {
			return true
		}
	}
	return false
}
