package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

func configure(cmd *exec.Cmd) {
	// Pdeathsig fires when the thread that called Start exits; the Go runtime does not
	// retire threads (unless a goroutine exits while locked to one), so in practice: when we die.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// Children returns the process ids of this process's live children, read from /proc.
// Zombies (exited but not yet waited for) are included: they are children too.
func Children() ([]int, error) {
	return childrenOf(os.Getpid())
}

func childrenOf(parent int) ([]int, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	var kids []int
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process exited while we looked
		}
		// Format: pid (comm) state ppid ...; comm may contain spaces and parentheses.
		s := string(data)
		close := strings.LastIndexByte(s, ')')
		if close < 0 {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(fields[1])
		if err != nil || ppid != parent {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil {
			kids = append(kids, pid)
		}
	}
	return kids, nil
}

// Alive reports whether pid names a process that is running (not a zombie).
func Alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	close := strings.LastIndexByte(s, ')')
	if close < 0 {
		return false
	}
	fields := strings.Fields(s[close+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
