package cpubound

import (
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
	"go.uber.org/goleak"
)

var noop = procpool.Register("cpubound.test.noop", func(n int) (int, error) { return n, nil })

func TestMain(m *testing.M) {
	procpool.ServeIfWorker() // worker copies of this test binary serve here
	goleak.VerifyTestMain(m)
}
