package hj212recv

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/hj212"
)

// syncBuffer is a log sink the server's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withPW rewrites the PW of a framed packet and frames it again.
func withPW(packet, pw string) string {
	seg := packet[6 : len(packet)-6]
	seg = strings.Replace(seg, "PW=123456", "PW="+pw, 1)
	return string(hj212.Frame(seg))
}

// closedWithin reports whether the server closes c (EOF or reset) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 512)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue // answers before the close
		}
		var ne net.Error
		return !(errorAs(err, &ne) && ne.Timeout())
	}
}

func errorAs(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

// A password guesser gets MaxAuthFailures tries per connection, is then closed, and the
// address is backed off for that MN — while another MN behind the same address still
// gets through. Failures are counted by MN and logged without the password.
func TestPasswordGuessingIsBounded(t *testing.T) {
	logs := &syncBuffer{}
	_, addr, rec, m := startServerLog(t, nil, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	guesses := []string{"000001", "000002", "000003", "000004", "000005", "000006"}
	for _, g := range guesses {
		if _, err := c.Write([]byte(withPW(P2, g))); err != nil {
			break // closed after the third
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("connection still open after six wrong passwords")
	}
	if got := testutil.ToFloat64(m.AuthFailures.WithLabelValues("hj212", "JLYP01_AIR01_0001")); got != 3 {
		t.Errorf("auth failures = %v, want 3 (the connection closes at the third)", got)
	}
	if got := testutil.ToFloat64(m.Closed.WithLabelValues("hj212", "auth_failures")); got != 1 {
		t.Errorf("connections closed for auth failures = %v, want 1", got)
	}
	// The right password from the same address is refused during the back-off …
	if got := send(t, addr, P2); !strings.Contains(got[0], "QnRtn=3") {
		t.Errorf("answer during back-off = %q, want QnRtn=3", got[0])
	}
	if len(rec.readings()) != 0 {
		t.Error("a packet was accepted during the back-off")
	}
	if got := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "auth_backoff")); got != 1 {
		t.Errorf("auth_backoff = %v, want 1", got)
	}
	// … while a different MN behind the same address is not locked out.
	send(t, addr, P4)
	if len(rec.readings()) != 1 {
		t.Errorf("another MN from the same address: %d readings, want 1", len(rec.readings()))
	}
	out := logs.String()
	if !strings.Contains(out, "mn=JLYP01_AIR01_0001") || !strings.Contains(out, "remote=127.0.0.1") || !strings.Contains(out, "level=WARN") {
		t.Errorf("wrong passwords not logged at warn with MN and address:\n%s", out)
	}
	for _, g := range guesses {
		if strings.Contains(out, g) {
			t.Errorf("a guessed password %q reached the log", g)
		}
	}
}

// The back-off doubles with every repeat and stops at its maximum.
func TestAuthBackoffDoubles(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{AuthBackoff: 10 * time.Second, MaxAuthBackoff: 35 * time.Second}, nil)
	s.now = func() time.Time { return now }
	var got []time.Duration
	for range 4 {
		got = append(got, s.authFailed("10.0.0.1", "MN1"))
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 35 * time.Second, 35 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("back-offs %v, want %v", got, want)
		}
	}
	if !s.backedOff("10.0.0.1", "MN1") || s.backedOff("10.0.0.1", "MN2") || s.backedOff("10.0.0.2", "MN1") {
		t.Error("back-off not limited to its address and MN")
	}
	now = now.Add(36 * time.Second)
	if s.backedOff("10.0.0.1", "MN1") {
		t.Error("back-off outlived its duration")
	}
	// Quiet for the maximum back-off: the record starts again at the initial step.
	now = now.Add(36 * time.Second)
	if d := s.authFailed("10.0.0.1", "MN1"); d != 10*time.Second {
		t.Errorf("after a quiet period the back-off is %v, want 10s", d)
	}
}

// Idle sockets from one address cannot hold its slots: a connection without an
// authenticated packet is closed at the first-packet timeout, and the station behind the
// same address gets in.
func TestIdleConnectionsCannotLockOutAStation(t *testing.T) {
	_, addr, rec, m := startServer(t, func(k *config.HJ212) {
		k.MaxConnectionsPerAddr = 4
		k.FirstPacketTimeout = config.Duration(time.Second)
		k.IdleTimeout = config.Duration(time.Minute)
	})
	var idle []net.Conn
	for range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	if got := send(t, addr, P2); got[0] != "" || len(rec.readings()) != 0 {
		t.Fatalf("the per-address limit did not hold: %d readings", len(rec.readings()))
	}
	for _, c := range idle[:4] {
		if !closedWithin(c, 5*time.Second) {
			t.Fatal("an idle connection outlived the first-packet timeout")
		}
	}
	send(t, addr, P2)
	if len(rec.readings()) != 1 {
		t.Errorf("station after the idle connections were closed: %d readings, want 1", len(rec.readings()))
	}
	if got := testutil.ToFloat64(m.Closed.WithLabelValues("hj212", "first_packet_timeout")); got < 4 {
		t.Errorf("first_packet_timeout closes = %v, want ≥ 4", got)
	}
}

// Networks listed as unlimited are exempt from the per-address limit.
func TestUnlimitedNetworks(t *testing.T) {
	_, addr, rec, _ := startServer(t, func(k *config.HJ212) {
		k.MaxConnectionsPerAddr = 2
		lo, _ := config.ParseCIDR("127.0.0.0/8")
		k.UnlimitedNetworks = []config.CIDR{lo}
	})
	var conns []net.Conn
	for range 6 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for _, c := range conns {
		c.Write([]byte(P2))
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(rec.readings()) < 6 {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(rec.readings()); n != 6 {
		t.Errorf("%d of 6 connections from an unlimited network served", n)
	}
}

// Bytes without a header are counted and the connection closed after a bounded amount;
// a bad DataTime or data area is answered (QnRtn 100) and counted as what it is; a packet
// whose every value is rejected is counted as rejected.
func TestGarbageAndBadPackets(t *testing.T) {
	_, addr, rec, m := startServer(t, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(bytes.Repeat([]byte("garbage "), 200)) // 1,600 bytes > max segment
	if !closedWithin(c, 2*time.Second) {
		t.Error("a connection sending only garbage was held open")
	}
	if testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "malformed")) < 1 || testutil.ToFloat64(m.Closed.WithLabelValues("hj212", "garbage")) != 1 {
		t.Error("garbage not counted")
	}
	badTime := string(hj212.Frame(strings.Replace(A3[6:len(A3)-6], "DataTime=20260301080000", "DataTime=2026030108", 1)))
	badCP := string(hj212.Frame(strings.Replace(A3[6:len(A3)-6], "a34004-Avg=35,", "a34004-Avg=35,garbage;", 1)))
	allBad := string(hj212.Frame(strings.NewReplacer("Avg=35", "Avg=x", "Avg=60", "Avg=x", "Avg=80", "Avg=x", "Avg=8,", "Avg=x,", "Avg=40", "Avg=x", "Avg=0.6", "Avg=x").Replace(A3[6 : len(A3)-6])))
	got := send(t, addr, badTime, badCP, allBad)
	for i, name := range []string{"bad DataTime", "bad CP"} {
		if !strings.Contains(got[i], "CN=9011") || !strings.Contains(got[i], "QnRtn=100") {
			t.Errorf("%s answered %q, want a 9011 with QnRtn=100", name, got[i])
		}
	}
	for result, want := range map[string]float64{"datatime": 1, "cp": 1, "cn": 0, "rejected": 1, "accepted": 0} {
		if v := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", result)); v != want {
			t.Errorf("packets{result=%q} = %v, want %v", result, v, want)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.batches) != 1 || len(rec.batches[0].Readings) != 0 || len(rec.batches[0].Rejects) != 6 {
		t.Errorf("all-rejected packet: want one batch with 6 rejects and no reading, got %+v", rec.batches)
	}
}
