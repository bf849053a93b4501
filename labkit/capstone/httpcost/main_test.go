package httpcost_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/httpcost"
	"go.uber.org/goleak"
)

// hello is notebook 14's handler, served by the copies of this test binary that
// StartSelf starts.
func hello(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "hello\n")
}

func TestMain(m *testing.M) {
	httpcost.ServeIfChild(http.HandlerFunc(hello)) // a copy started by StartSelf serves here and exits
	goleak.VerifyTestMain(m)
}
