package nb

import (
	"os"
	"testing"
)

func TestInVSCode(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	cases := []struct {
		name string
		vars map[string]string
		want bool
	}{
		// A kernel VS Code's Jupyter extension starts inherits its extension host's variables.
		{"VS Code notebook UI", map[string]string{"VSCODE_PID": "4242", "ELECTRON_RUN_AS_NODE": "1",
			"JPY_SESSION_NAME": "/workspaces/lab/notebooks/00_start_here.ipynb"}, true},
		{"VS Code remote (Codespaces) extension host", map[string]string{
			"VSCODE_AMD_ENTRYPOINT": "vs/workbench/api/node/extensionHostProcess", "VSCODE_HANDLES_UNCAUGHT_ERRORS": "true"}, true},
		// JupyterLab started from VS Code's terminal: only the terminal's own variables.
		{"JupyterLab from a VS Code terminal", map[string]string{"TERM_PROGRAM": "vscode", "VSCODE_IPC_HOOK_CLI": "/tmp/x.sock",
			"VSCODE_GIT_IPC_HANDLE": "/tmp/g.sock", "JPY_SESSION_NAME": "notebooks/00_start_here.ipynb", "JPY_PARENT_PID": "77"}, false},
		{"JupyterLab", map[string]string{"JPY_SESSION_NAME": "notebooks/00_start_here.ipynb", "JPY_PARENT_PID": "77"}, false},
		{"plain go test", map[string]string{}, false},
	}
	for _, c := range cases {
		if got := inVSCode(env(c.vars)); got != c.want {
			t.Errorf("%s: inVSCode = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestInVSCodeReadsTheEnvironment(t *testing.T) {
	for _, v := range vscodeHostVars {
		if _, ok := os.LookupEnv(v); ok {
			t.Setenv(v, "") // Setenv restores it; then unset for this test
			os.Unsetenv(v)
		}
	}
	if InVSCode() {
		t.Fatal("InVSCode with no VS Code variables set")
	}
	t.Setenv("VSCODE_PID", "4242")
	if !InVSCode() {
		t.Fatal("InVSCode is false with VSCODE_PID set")
	}
}
