package browsertest_test

import (
	"fmt"

	"github.com/go-concurrency-lab/lab/internal/browsertest"
)

// A deck passes only if everything it loads is on this machine.
func ExampleIsLocal() {
	for _, u := range []string{
		"file:///lab/build/slides/assets/reveal.js/dist/reveal.js",
		"http://127.0.0.1:8888/files/_assets/echarts.min.js",
		"https://cdn.jsdelivr.net/npm/echarts@5.6.0/dist/echarts.min.js",
	} {
		fmt.Println(browsertest.IsLocal(u), u)
	}
	// Output:
	// true file:///lab/build/slides/assets/reveal.js/dist/reveal.js
	// true http://127.0.0.1:8888/files/_assets/echarts.min.js
	// false https://cdn.jsdelivr.net/npm/echarts@5.6.0/dist/echarts.min.js
}
