package echo_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
)

func ExampleStart() {
	ctx := context.Background()
	srv, err := echo.Start(ctx, echo.Config{MaxLineBytes: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, line := range []string{"hello\n", "far too long\n"} {
		fmt.Fprint(conn, line)
		reply, _ := r.ReadString('\n')
		fmt.Printf("%q\n", reply)
	}
	conn.Close()

	shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Println(err)
	}
	st := srv.Stats()
	fmt.Printf("accepted=%d lines=%d overlong=%d\n", st.Accepted, st.Lines, st.OverLong)
	// Output:
	// "hello\n"
	// "ERR line too long (max 10 bytes)\n"
	// accepted=1 lines=1 overlong=1
}

func ExampleStartMinimal() {
	ctx := context.Background()
	m, err := echo.StartMinimal(ctx, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Fprint(conn, "anything at all, no limits\n")
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(reply)
	// Output: anything at all, no limits
}
