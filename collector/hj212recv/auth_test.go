package hj212recv

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
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

// throttled configures a fast tarpit for tests: three failures, one attempt examined per
// 100 ms, doubling to 200 ms.
func throttled(k *config.HJ212) {
	k.MaxAuthFailures = 3
	k.AuthWindow = config.Duration(time.Hour)
	k.AuthBackoff = config.Duration(100 * time.Millisecond)
	k.MaxAuthBackoff = config.Duration(200 * time.Millisecond)
}

// answer writes one packet and reads the answer line, waiting up to d.
func answer(c net.Conn, br *bufio.Reader, packet string, d time.Duration) string {
	if _, err := c.Write([]byte(packet)); err != nil {
		return "write error"
	}
	c.SetReadDeadline(time.Now().Add(d))
	line, _ := br.ReadString('\n')
	return line
}

// Reconnecting does not reset the count: a guesser that sends two wrong passwords per
// connection (never reaching the per-connection limit) is throttled per address and MN,
// so over 1.5 s at most the first three and one per 100 ms are examined (the probe of the
// issue reached 2,335 a second). Meanwhile the station's connection, authenticated before
// the attack, is never held up or closed, and a new connection of the station with the
// right password gets through when its turn comes.
func TestGuessingIsThrottledAcrossConnections(t *testing.T) {
	logs := &syncBuffer{}
	_, addr, rec, m := startServerLog(t, throttled, slog.New(slog.NewTextHandler(logs, nil)))
	station, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer station.Close()
	sbr := bufio.NewReader(station)
	answer(station, sbr, P2, 200*time.Millisecond) // authenticates (no answer asked)

	stop := time.Now().Add(1500 * time.Millisecond)
	var sent atomic.Int64
	var attackers sync.WaitGroup
	for a := range 3 { // three guessers behind the same address
		attackers.Add(1)
		go func() {
			defer attackers.Done()
			for i := 0; time.Now().Before(stop); i++ {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				br := bufio.NewReader(c)
				for g := range 2 {
					answer(c, br, withPW(P2, fmt.Sprintf("%d%05d", a, 2*i+g)), 3*time.Second)
					sent.Add(1)
				}
				c.Close()
			}
		}()
	}
	for time.Now().Before(stop) {
		if got := answer(station, sbr, withPW(A1, "123456"), 50*time.Millisecond); got != "" {
			t.Fatalf("the station's own connection got %q during the attack", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	before := len(rec.readings())
	answer(station, sbr, P2, 50*time.Millisecond)
	fresh, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got := answer(fresh, bufio.NewReader(fresh), string(hj212.Frame(strings.Replace(P2[6:len(P2)-6], "Flag=4", "Flag=5", 1))), 3*time.Second); !strings.Contains(got, "CN=9014") {
		t.Errorf("the station's right password on a new connection during the throttle answered %q, want a data answer (9014)", got)
	}
	attackers.Wait()
	if n := len(rec.readings()); n < before+2 {
		t.Errorf("readings from the station during the attack: %d then %d, want the authenticated connection's and the new one's", before, n)
	}
	examined := testutil.ToFloat64(m.AuthFailures.WithLabelValues("hj212", "JLYP01_AIR01_0001"))
	t.Logf("%v of %d guesses examined", examined, sent.Load())
	if limit := 3 + 1.5/0.1 + 4; examined > limit || sent.Load() < 4 {
		t.Errorf("%v of %d guesses examined in 1.5 s, want at most %v", examined, sent.Load(), limit)
	}
	if testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "auth_throttled")) == 0 {
		t.Error("no attempt was held in the throttle")
	}
	lines := strings.Count(logs.String(), "hj212 wrong passwords")
	if lines < 1 || lines > 2 {
		t.Errorf("%d log lines for one address and MN within 1.5 s, want 1 or 2 (aggregated per minute):\n%s", lines, logs.String())
	}
	if strings.Count(logs.String(), "source=") > 0 {
		t.Errorf("the receiver adds its own source attribute to a logger that has it:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "PW") || strings.Contains(logs.String(), "00001") {
		t.Errorf("a guessed password reached the log:\n%s", logs.String())
	}
}

// An unknown MN is answered exactly like a wrong password, and throttled the same way.
func TestUnknownMNAnsweredLikeWrongPassword(t *testing.T) {
	_, addr, _, m := startServer(t, throttled)
	unknown := string(hj212.Frame(strings.Replace(P2[6:len(P2)-6], "MN=JLYP01_AIR01_0001", "MN=JLYP01_AIR01_9999", 1)))
	wrong := withPW(P2, "000000")
	got := send(t, addr, unknown, wrong)
	strip := func(s string) string { // the MN is echoed; the rest must be the same answer
		return strings.NewReplacer("JLYP01_AIR01_9999", "MN", "JLYP01_AIR01_0001", "MN", "PW=000000", "PW", "PW=123456", "PW").Replace(s[6 : len(s)-6])
	}
	if got[0] == "" || got[1] == "" || strip(got[0]) != strip(got[1]) || !strings.Contains(got[0], "QnRtn=3") {
		t.Errorf("unknown MN answered %q, wrong password %q: want the same QnRtn=3", got[0], got[1])
	}
	if testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "unknown_mn")) != 1 {
		t.Error("unknown MN not counted for the operator")
	}
}

// The sliding window: three failures throttle; each further one doubles the interval up
// to the maximum; failures older than two windows are forgotten, and half of the
// previous window still counts half.
func TestThrottleWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{MaxAuthFailures: 3, AuthWindow: time.Hour, AuthBackoff: 10 * time.Second, MaxAuthBackoff: 35 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, nil)
	s.now = func() time.Time { return now }
	var got []time.Duration
	for range 6 {
		s.failed("10.0.0.1", "MN1")
		got = append(got, s.interval(s.guards[guardKey("10.0.0.1", "MN1")], now))
	}
	want := []time.Duration{0, 0, 10 * time.Second, 20 * time.Second, 35 * time.Second, 35 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("intervals %v, want %v", got, want)
		}
	}
	if s.guards[guardKey("10.0.0.1", "MN2")] != nil || s.guards[guardKey("10.0.0.2", "MN1")] != nil {
		t.Error("throttle not limited to its address and MN")
	}
	g := s.guards[guardKey("10.0.0.1", "MN1")]
	now = now.Add(90 * time.Minute) // the 6 failures are in the previous window, half of it still inside
	if f := g.failures(now, time.Hour); f != 3 {
		t.Errorf("failures half a window later = %v, want 3", f)
	}
	now = now.Add(2 * time.Hour)
	if d := s.interval(g, now); d != 0 {
		t.Errorf("after two quiet windows the interval is %v, want 0", d)
	}
}

// Idle sockets cannot hold the slots: when the per-address cap is reached, a newcomer
// evicts the oldest connection that has not authenticated, so the station behind the
// same address gets in at once; once authenticated it is never evicted; an idle socket
// left alone is closed at the first-packet timeout.
func TestIdleConnectionsCannotLockOutAStation(t *testing.T) {
	_, addr, rec, m := startServer(t, func(k *config.HJ212) {
		k.MaxConnectionsPerAddr = 4
		k.FirstPacketTimeout = config.Duration(time.Second)
		k.IdleTimeout = config.Duration(time.Minute)
	})
	var idle []net.Conn
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
		return c
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 10 {
		dial()
	}
	station := dial()
	sbr := bufio.NewReader(station)
	answer(station, sbr, P2, 300*time.Millisecond)
	if len(rec.readings()) != 1 {
		t.Fatalf("station behind ten idle sockets: %d readings, want 1 at once", len(rec.readings()))
	}
	for range 10 {
		dial()
	}
	time.Sleep(100 * time.Millisecond)
	answer(station, sbr, P2, 300*time.Millisecond)
	if len(rec.readings()) != 2 {
		t.Errorf("authenticated station after ten more idle sockets: %d readings, want 2 (never evicted)", len(rec.readings()))
	}
	if !closedWithin(idle[len(idle)-1], 5*time.Second) {
		t.Error("an idle connection outlived the first-packet timeout")
	}
	if got := testutil.ToFloat64(m.Closed.WithLabelValues("hj212", "evicted")); got != 17 {
		t.Errorf("evicted = %v, want 17 (21 sockets, 4 slots, the station kept)", got)
	}
	if got := testutil.ToFloat64(m.Closed.WithLabelValues("hj212", "first_packet_timeout")); got < 1 {
		t.Errorf("first_packet_timeout closes = %v, want ≥ 1", got)
	}
}

// When every slot is taken, unauthenticated connections from anywhere make room for a
// newcomer; authenticated ones keep theirs, and only when all are authenticated is the
// newcomer refused.
func TestFullServerEvictsUnauthenticatedFirst(t *testing.T) {
	_, addr, rec, m := startServer(t, func(k *config.HJ212) {
		k.MaxConnections = 3
		k.FirstPacketTimeout = config.Duration(time.Minute)
	})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	authed := func(p string) (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		br := bufio.NewReader(c)
		answer(c, br, p, 300*time.Millisecond)
		return c, br
	}
	a, abr := authed(P2)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, idle)
	time.Sleep(50 * time.Millisecond)
	authed(P4)
	authed(A3) // the third slot: the idle socket makes room
	if n := len(rec.readings()); n != 3 {
		t.Fatalf("%d readings from three stations, want 3", n)
	}
	if !closedWithin(idle, time.Second) {
		t.Error("the idle socket kept its slot")
	}
	answer(a, abr, P2, 300*time.Millisecond)
	if n := len(rec.readings()); n != 4 {
		t.Errorf("the first station after the server filled: %d readings, want 4", n)
	}
	late, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, late)
	if !closedWithin(late, time.Second) {
		t.Error("a fourth connection was kept although every slot is authenticated")
	}
	if got := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "too_many_connections")); got != 1 {
		t.Errorf("too_many_connections = %v, want 1", got)
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
