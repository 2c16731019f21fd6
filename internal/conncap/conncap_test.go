package conncap

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func serve(t *testing.T, max int) (*Limiter, string) {
	t.Helper()
	l := New(max, nil)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	srv.Config.ConnState = l.ConnState
	srv.Start()
	t.Cleanup(srv.Close)
	return l, srv.Listener.Addr().String()
}

func closedSoon(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.Read(make([]byte, 1))
	ne, ok := err.(net.Error)
	return err != nil && !(ok && ne.Timeout())
}

// Sockets that never send a request hold their slots until the server's read timeout; a
// connection beyond the cap is closed at once and counted, and the slot is free again
// when one of them goes.
func TestSilentSocketsCannotExceedTheCap(t *testing.T) {
	l, addr := serve(t, 2)
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	time.Sleep(50 * time.Millisecond) // accepted and in StateNew
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if !closedSoon(extra) {
		t.Fatal("a third connection was kept above a cap of 2")
	}
	if got := testutil.ToFloat64(l.refused); got != 1 {
		t.Errorf("refused = %v, want 1", got)
	}
	held[0].Close()
	time.Sleep(50 * time.Millisecond)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("after a slot was freed: %v", err)
	}
	resp.Body.Close()
}

// Idle keep-alive connections make room for new clients instead of refusing them.
func TestIdleKeepAliveMakesRoom(t *testing.T) {
	l, addr := serve(t, 2)
	for range 2 {
		cl := &http.Client{Transport: &http.Transport{}} // each its own keep-alive connection
		resp, err := cl.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	time.Sleep(50 * time.Millisecond)
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("a new client beside two idle keep-alive connections: %v", err)
	}
	resp.Body.Close()
	if got := testutil.ToFloat64(l.evicted); got != 1 {
		t.Errorf("evicted = %v, want 1", got)
	}
	if got := testutil.ToFloat64(l.refused); got != 0 {
		t.Errorf("refused = %v, want 0", got)
	}
}
