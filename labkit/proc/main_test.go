package proc

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain doubles as the children's entry point: a re-executed test binary carries a
// role and does that job instead of running the tests, exactly as a program using Self
// checks Role at the top of main.
func TestMain(m *testing.M) {
	switch Role() {
	case "":
		goleak.VerifyTestMain(m)
	case "echo":
		fmt.Println(strings.Join(os.Args[1:], " "))
		os.Exit(0)
	case "sleeper":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "spawner":
		// Start a grandchild, report its pid, then wait to be killed.
		child, err := Self(context.Background(), "sleeper")
		if err == nil {
			err = child.Start()
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(child.Process.Pid)
		time.Sleep(time.Minute)
		os.Exit(0)
	default:
		fmt.Fprintf(os.Stderr, "unknown role %q\n", Role())
		os.Exit(3)
	}
}
