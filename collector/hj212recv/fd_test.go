package hj212recv

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Out of file descriptors, the receiver waits and accepts again instead of stopping until a
// restart: under a lowered limit, connections are opened until none more can be, then
// closed; the receiver serves the next station.
func TestAcceptSurvivesFileDescriptorExhaustion(t *testing.T) {
	logs := &syncLog{}
	_, addr, rec, _ := startServerLog(t, nil, slog.New(slog.NewTextHandler(logs, nil)))
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	low := orig
	low.Cur = uint64(len(fds) + 12)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	for i := 0; i < 64; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	// Let the receiver meet the limit on accept.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "hj212 accept failed") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range held {
		c.Close()
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "hj212 accept failed") {
		t.Fatalf("the limit was never met on accept (%d connections held); logs:\n%s", len(held), logs.String())
	}
	before := len(rec.readings())
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(rec.readings()) == before; time.Sleep(50 * time.Millisecond) {
		send(t, addr, P2)
	}
	if len(rec.readings()) == before {
		t.Error("the receiver does not serve after the descriptors came back")
	}
}
