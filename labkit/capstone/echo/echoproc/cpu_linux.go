package echoproc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ), which Linux fixes at
// 100 per second for user space on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// processCPU reads the user and system CPU time of process pid from /proc/<pid>/stat
// (fields 14 and 15, utime and stime, in clock ticks; see proc(5)).
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("echoproc: CPU time of process %d: %w", pid, err)
	}
	// "pid (comm) state ppid ...": comm may contain spaces and parentheses.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("echoproc: /proc/%d/stat has %d fields after the command name, want at least 13", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("echoproc: /proc/%d/stat: utime %q, stime %q are not numbers", pid, fields[11], fields[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// selfCPU is this process's user and system CPU time, from getrusage(2) (microseconds).
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("echoproc: getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// machineCPU is the CPU time every process on the machine has used since boot, all cores
// together: the busy fields of /proc/stat's "cpu" line (user, nice, system, irq, softirq,
// steal; guest time is already counted in user), in clock ticks.
func machineCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("echoproc: machine CPU time: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, fmt.Errorf("echoproc: /proc/stat starts %q, want the \"cpu\" line with at least 8 numbers", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system [idle iowait] irq softirq steal
		n, err := strconv.ParseInt(fields[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("echoproc: /proc/stat: field %d = %q is not a number", i, fields[i])
		}
		busy += n
	}
	return time.Duration(busy) * clockTick, nil
}
