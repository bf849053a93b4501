package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// descendants returns the live descendants of pid, read from /proc: pid -> command line.
func descendants(root int) map[int]string {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold spaces; fields follow the last ")".
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		parent[pid] = ppid
	}
	out := map[int]string{}
	for pid := range parent {
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == root {
				out[pid] = cmdline(pid)
				break
			}
		}
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// running reports whether pid is alive and not a zombie.
func running(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

// kernelOf returns the pid of the first GoNB kernel (a "gonb --kernel" process) among
// the descendants of root, or 0.
func kernelOf(root int) int {
	for pid, cmd := range descendants(root) {
		if f := strings.Fields(cmd); len(f) > 1 && filepath.Base(f[0]) == "gonb" && strings.Contains(cmd, "--kernel") {
			return pid
		}
	}
	return 0
}

// socketInodes returns the inodes of the sockets pid has open.
func socketInodes(pid int) []string {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, _ := os.ReadDir(dir)
	var inodes []string
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err == nil && strings.HasPrefix(target, "socket:[") {
			inodes = append(inodes, strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]"))
		}
	}
	return inodes
}

// listening returns every listening TCP and Unix socket of this network namespace:
// inode -> address ("tcp 127.0.0.1:41234", "unix /tmp/x.sock").
func listening() map[string]string {
	out := map[string]string{}
	for _, table := range []string{"tcp", "tcp6"} {
		data, _ := os.ReadFile("/proc/net/" + table)
		for _, line := range strings.Split(string(data), "\n")[1:] {
			// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" { // TCP_LISTEN
				out[f[9]] = "tcp " + hexAddr(f[1])
			}
		}
	}
	data, _ := os.ReadFile("/proc/net/unix")
	for _, line := range strings.Split(string(data), "\n")[1:] {
		// Num RefCount Protocol Flags Type St Inode [Path]
		f := strings.Fields(line)
		if len(f) > 6 && f[3] == "00010000" { // __SO_ACCEPTCON: listen() was called
			path := "(unnamed)"
			if len(f) > 7 {
				path = f[7]
			}
			out[f[6]] = "unix " + path
		}
	}
	return out
}

// listenersOf returns the listening sockets that the processes hold: inode -> address.
func listenersOf(pids []int) map[string]string {
	all := listening()
	out := map[string]string{}
	for _, pid := range pids {
		for _, inode := range socketInodes(pid) {
			if addr, ok := all[inode]; ok {
				out[inode] = fmt.Sprintf("%s (pid %d)", addr, pid)
			}
		}
	}
	return out
}

// hexAddr turns /proc/net/tcp's "0100007F:A0B2" into "127.0.0.1:41138" (IPv6 stays hex).
func hexAddr(s string) string {
	host, port, ok := strings.Cut(s, ":")
	p, err := strconv.ParseUint(port, 16, 16)
	if !ok || err != nil {
		return s
	}
	if len(host) == 8 {
		if v, err := strconv.ParseUint(host, 16, 32); err == nil { // the kernel prints the word in host order: little-endian on amd64 and arm64
			return fmt.Sprintf("%d.%d.%d.%d:%d", v&0xff, v>>8&0xff, v>>16&0xff, v>>24, p)
		}
	}
	return fmt.Sprintf("[%s]:%d", host, p)
}

// startTime returns when pid started (clock ticks since boot, /proc/<pid>/stat field 22),
// or "" if it is gone: with the pid it names one process, even across an exec that
// changes its command line, and a reused pid gets a new one.
func startTime(pid int) string {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return ""
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // fields after the name start at field 3 (state)
}
