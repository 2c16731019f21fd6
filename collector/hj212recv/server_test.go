package hj212recv

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/hj212"
	"github.com/envwatch/envwatch/reading"
)

// docs/standards.md §6.6.
const (
	P1 = "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
	P2 = "##0411QN=20220513162608370;ST=22;CN=2051;PW=123456;MN=JLYP01_AIR01_0001;Flag=4;CP=&&DataTime=20220513162600;a21004-Avg=4,a21004-Flag=N;a05024-Avg=63,a05024-Flag=N;a21026-Avg=6,a21026-Flag=N;a21005-Avg=0.427,a21005-Flag=N;a34004-Avg=14,a34004-Flag=N;a34002-Avg=31,a34002-Flag=N;a01007-Avg=1,a01007-Flag=N;a01008-Avg=11,a01008-Flag=N;a01001-Avg=17,a01001-Flag=N;a01002-Avg=85,a01002-Flag=N;a01006-Avg=95,a01006-Flag=N&&D641\r\n"
	P3 = "##0435QN=20210301111100112;ST=21;CN=2011;PW=123456;MN=ZLDSZ20210127;Flag=8;CP=&&DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N;w01009-Rtd=10.15,w01009-Flag=N;w01010-Rtd=9.7,w01010-Flag=N;w01014-Rtd=1425,w01014-Flag=N;w01003-Rtd=13.10,w01003-Flag=N;w21011-Rtd=0,w21011-Flag=N;w21001-Rtd=3.563168,w21001-Flag=N;w21003-Rtd=0.09055002,w21003-Flag=N;w01019-Rtd=4.102818,w01019-Flag=N;w01008-Rtd=0,w01008-Flag=N;w23002-Rtd=0,w23002-Flag=N&&7d00\r\n"
	P4 = "##0317QN=20191012133710130;ST=22;CN=2011;PW=123456;MN=Y80110010000010;Flag=4;CP=&&DataTime=20191012133710;a21005-Rtd=0.00,a21005-Flag=N;a21004-Rtd=0.00,a21004-Flag=N;a21007-Rtd=0.033,a21007-Flag=N;a21006-Rtd=0.036,a21006-Flag=N;a21001-Rtd=25.40,a21001-Flag=N;a21003-Rtd=101.94,a21003-Flag=N;a21002-Rtd=49.20,a21002-Flag=N&&cc01\r\n"
	P5 = "##0109ST=32;CN=2011;PW=123456;MN=NJGDKYYC202101q0001w0001;CP=&&DataTime=20210305003817000;ele01-Rtd=1;ele02-Rtd=0&&8c41\r\n"
	A1 = "##0080QN=20220513162608370;ST=91;CN=9014;PW=123456;MN=JLYP01_AIR01_0001;Flag=4;CP=&&&&18C0\r\n"
	A3 = "##0278QN=20260301090000001;ST=22;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20260301080000;a34004-Avg=35,a34004-Flag=N;a34002-Avg=60,a34002-Flag=N;a05024-Avg=80,a05024-Flag=N;a21026-Avg=8,a21026-Flag=N;a21004-Avg=40,a21004-Flag=N;a21005-Avg=0.6,a21005-Flag=N&&2080\r\n"
)

type recorder struct {
	mu      sync.Mutex
	batches []*reading.Batch
}

func (r *recorder) Handle(_ context.Context, b *reading.Batch) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, b)
	return len(b.Readings), nil
}

func (r *recorder) readings() []reading.Reading {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []reading.Reading
	for _, b := range r.batches {
		out = append(out, b.Readings...)
	}
	return out
}

func startServer(t *testing.T, mutate func(*config.HJ212)) (*Server, string, *recorder, *Metrics) {
	t.Helper()
	return startServerLog(t, mutate, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func startServerLog(t *testing.T, mutate func(*config.HJ212), logger *slog.Logger) (*Server, string, *recorder, *Metrics) {
	t.Helper()
	rec := &recorder{}
	srv, addr, m := startServerHandler(t, mutate, logger, rec)
	return srv, addr, rec, m
}

// startServerWith serves the test devices into h.
func startServerWith(t *testing.T, h collector.Handler) (*Server, string, collector.Handler, *Metrics) {
	t.Helper()
	srv, addr, m := startServerHandler(t, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), h)
	return srv, addr, h, m
}

func startServerHandler(t *testing.T, mutate func(*config.HJ212), logger *slog.Logger, h collector.Handler) (*Server, string, *Metrics) {
	t.Helper()
	k := &config.HJ212{Listen: "127.0.0.1:0", MaxConnections: 64, MaxConnectionsPerAddr: 40, MaxSegmentBytes: 1024,
		ReadTimeout: config.Duration(2 * time.Second), IdleTimeout: config.Duration(5 * time.Second), ValidFlags: []string{"N"},
		FirstPacketTimeout: config.Duration(5 * time.Second), MaxAuthFailures: 3,
		AuthBackoff: config.Duration(time.Minute), MaxAuthBackoff: config.Duration(10 * time.Minute),
		Devices: []config.HJ212Device{
			{MN: "JLYP01_AIR01_0001", Password: "123456", Site: "1812A", Kind: "air"},
			{MN: "010000A8900016F000169DC0", Password: "123456", Site: "1814A", Kind: "air"},
			{MN: "Y80110010000010", Password: "123456", Site: "1815A", Kind: "air"},
			{MN: "ZLDSZ20210127", Password: "123456", Site: "W1", Kind: "water"},
		}}
	if mutate != nil {
		mutate(k)
	}
	m := NewMetrics(nil)
	srv, err := FromConfig(config.Source{Name: "hj212", Kind: "hj212", HJ212: k},
		collector.Env{Location: time.FixedZone("CST", 8*3600), Logger: logger}, m)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	addr, err := srv.Addr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return srv, addr.String(), m
}

// send writes packets on one connection and returns each packet's answer ("" = none
// within 300 ms).
func send(t *testing.T, addr string, packets ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	var out []string
	for _, p := range packets {
		if _, err := c.Write([]byte(p)); err != nil {
			out = append(out, "write error")
			continue
		}
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		line, err := br.ReadString('\n')
		if err != nil {
			out = append(out, "")
			continue
		}
		out = append(out, line)
	}
	return out
}

func TestPacketsOverTCP(t *testing.T) {
	_, addr, rec, m := startServer(t, nil)
	badCRC := strings.Replace(P2, "D641", "D642", 1)
	withAck := string(hj212.Frame(strings.Replace(A3[6:len(A3)-6], "Flag=4", "Flag=5", 1)))
	answers := send(t, addr, P2, P3, P4, A3, A1, P1, P5, badCRC, withAck)
	want := []string{
		"", "", "", "", "", // accepted, no answer asked (Flag 4/8), A1 is itself an answer
		string(hj212.RequestAnswer(&hj212.Packet{QN: "20160801085857223", PW: "100000", MN: "010000A8900016F000169DC0"}, 3)), // P1: wrong password
		string(hj212.RequestAnswer(&hj212.Packet{PW: "123456", MN: "NJGDKYYC202101q0001w0001"}, 3)),                          // P5: unknown MN, answered like a wrong password
		string(hj212.RequestAnswer(&hj212.Packet{QN: "20220513162608370", PW: "123456", MN: "JLYP01_AIR01_0001"}, 9)),        // bad CRC
		string(hj212.DataAck(&hj212.Packet{QN: "20260301090000001", PW: "123456", MN: "010000A8900016F000169DC0"})),          // 9014
	}
	for i := range want {
		if answers[i] != want[i] {
			t.Errorf("answer %d = %q, want %q", i, answers[i], want[i])
		}
	}
	rs := rec.readings()
	if len(rs) != 5 { // P2, P3, P4, A3, A3 with ack
		t.Fatalf("%d readings: %+v", len(rs), rs)
	}
	check := func(r reading.Reading, kind reading.SiteKind, period reading.Period, site, end string, vals string) {
		t.Helper()
		var got []string
		for _, v := range r.Values {
			got = append(got, fmt.Sprintf("%s=%s/%s", v.Code, v.V, v.Flag))
		}
		if r.Kind != kind || r.Period != period || r.Site != site || r.End.Format(time.RFC3339) != end || strings.Join(got, " ") != vals {
			t.Errorf("reading %s %v %v %s %s, want %s %s %s", r.Site, r.Kind, r.Period, r.End.Format(time.RFC3339), got, site, end, vals)
		}
	}
	check(rs[0], reading.Air, reading.Minute, "1812A", "2022-05-13T08:26:00Z", "no2=4/N o3=63/N so2=6/N co=0.427/N pm2_5=14/N pm10=31/N")
	check(rs[1], reading.Water, reading.Hour, "W1", "2021-03-01T03:11:00Z",
		"ph=8.33/N do=10.15/N temp=9.7/N conductivity=1425/N turbidity=13.1/N tp=0/N tn=3.563168/N nh3n=0.09055002/N codmn=4.102818/N phenol=0/N")
	check(rs[2], reading.Air, reading.Instant, "1815A", "2019-10-12T05:37:10Z", "co=0/N no2=0/N")
	// 2061 DataTime 08:00 (08:00–09:00) → the hour ending 09:00 Beijing = 01:00Z.
	check(rs[3], reading.Air, reading.Hour, "1814A", "2026-03-01T01:00:00Z", "pm2_5=35/N pm10=60/N o3=80/N so2=8/N no2=40/N co=0.6/N")
	for result, n := range map[string]float64{"accepted": 5, "answer": 1, "password": 1, "unknown_mn": 1, "crc": 1} {
		if got := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", result)); got != n {
			t.Errorf("packets %s = %v, want %v", result, got, n)
		}
	}
}

// Over-long and garbage packets close the connection; the server keeps serving others.
func TestHostileInputClosesConnection(t *testing.T) {
	_, addr, rec, m := startServer(t, nil)
	long := "##2000" + strings.Repeat("x", 100)
	for _, bad := range []string{long, "##zz" + strings.Repeat("y", 50) + "\r\n", "##0010QN=1;CP=&&0000\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(bad))
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err = c.Read(make([]byte, 10))
		if err == nil {
			t.Errorf("%q: connection still open and answered", bad[:10])
		}
		c.Close()
	}
	if got := send(t, addr, P2); got[0] != "" || len(rec.readings()) != 1 {
		t.Errorf("legitimate packet after hostile ones: answer %q readings %d", got[0], len(rec.readings()))
	}
	if testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "too_long")) != 1 || testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "malformed")) < 1 {
		t.Error("hostile packets not counted")
	}
}

// Many idle and slow (slow-loris) connections do not keep a legitimate station out: the
// per-address cap refuses the excess, timeouts reap the slow ones.
func TestIdleAndSlowConnections(t *testing.T) {
	_, addr, rec, _ := startServer(t, func(k *config.HJ212) {
		k.MaxConnections = 30
		k.MaxConnectionsPerAddr = 20
		k.ReadTimeout = config.Duration(500 * time.Millisecond)
		k.IdleTimeout = config.Duration(time.Second)
	})
	var conns []net.Conn
	for i := 0; i < 25; i++ { // 20 admitted, 5 refused by the per-address cap
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			c.Write([]byte("##04")) // starts a packet and stalls
		}
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Within the idle timeout the slow ones are cut off and the station gets through.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(rec.readings()) == 0 {
		send(t, addr, P2)
		time.Sleep(100 * time.Millisecond)
	}
	if len(rec.readings()) == 0 {
		t.Fatal("a legitimate station never got through")
	}
}

// Optional TLS: a station connecting over TLS is served like a plain one.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	_, addr, rec, _ := startServer(t, func(k *config.HJ212) { k.TLSCertFile, k.TLSKeyFile = certFile, keyFile })
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	withAck := string(hj212.Frame(strings.Replace(A3[6:len(A3)-6], "Flag=4", "Flag=5", 1)))
	c.Write([]byte(withAck))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.Contains(line, "CN=9014") || len(rec.readings()) != 1 {
		t.Errorf("over TLS: answer %q %v, readings %d", line, err, len(rec.readings()))
	}
}

type discard struct{}

func (discard) Handle(_ context.Context, b *reading.Batch) (int, error) { return len(b.Readings), nil }

// The receiver's per-packet path after the socket read: unframe and CRC, parse, device,
// password and ST checks, CP area to a reading (decimals, code mapping, units, flags), the
// batch handed on and the packet counted.
func BenchmarkHandlePacket(b *testing.B) {
	m := NewMetrics(nil)
	srv, err := FromConfig(config.Source{Name: "hj212", Kind: "hj212", HJ212: &config.HJ212{MaxSegmentBytes: 1024, ValidFlags: []string{"N"},
		Devices: []config.HJ212Device{{MN: "JLYP01_AIR01_0001", Password: "123456", Site: "1812A", Kind: "air"}}}},
		collector.Env{Location: time.FixedZone("CST", 8*3600), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, m)
	if err != nil {
		b.Fatal(err)
	}
	frame := []byte(strings.TrimSuffix(P2, "\r\n"))
	var scratch hj212.Data
	cs := &connState{} // one connection's packets, as a logger sends them: authenticated once
	b.ReportAllocs()
	for b.Loop() {
		srv.handlePacket(context.Background(), frame, discard{}, &scratch, cs)
	}
	b.StopTimer()
	if n := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "accepted")); n < float64(b.N) {
		b.Fatalf("%v packets accepted of %d", n, b.N)
	}
}

// A value that would overflow when converted (mg/m³ → µg/m³) is rejected, not wrapped.
func TestConvertRange(t *testing.T) {
	if _, err := convert(999_999_999_000_000_000/1000*1000, Code{Mul: 1000}); err == nil {
		t.Error("overflowing conversion accepted")
	}
	if v, err := convert(35_000_000, Code{Mul: 1000}); err != nil || v.String() != "35" { // 0.035 mg/m³
		t.Errorf("0.035 mg/m3 = %v %v, want 35", v, err)
	}
	if v, err := convert(850_000_000_000, Code{Div: 1000}); err != nil || v.String() != "0.85" { // 850 µg/m³ CO
		t.Errorf("850 ug/m3 CO = %v %v, want 0.85", v, err)
	}
}

// Per-code units, in either spelling: a logger configured as sending CO in µg/m³ and PM2.5
// in mg/m³ has its values brought to GB 3095's units (1 mg = 1000 µg). A3 carries
// a34004 = 35 and a21005 = 0.6.
func TestDeviceUnits(t *testing.T) {
	srv, err := FromConfig(config.Source{Name: "hj212", Kind: "hj212", HJ212: &config.HJ212{MaxSegmentBytes: 1024, ValidFlags: []string{"N"},
		Devices: []config.HJ212Device{{MN: "010000A8900016F000169DC0", Password: "123456", Site: "1814A", Kind: "air",
			Units: map[string]string{"a21005": "µg/m³", "a34004": "mg/m3"}}}}},
		collector.Env{Location: time.FixedZone("CST", 8*3600), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	var scratch hj212.Data
	srv.handlePacket(context.Background(), []byte(A3), rec, &scratch, &connState{})
	rs := rec.readings()
	if len(rs) != 1 {
		t.Fatalf("readings %v", rs)
	}
	got := map[string]string{}
	for _, v := range rs[0].Values {
		got[v.Code] = v.V.String()
	}
	if got["co"] != "0.0006" || got["pm2_5"] != "35000" || got["pm10"] != "60" {
		t.Errorf("converted %v", got)
	}
}

// refusing is a pipeline that refuses every value (negative, above the maximum …).
type refusing struct{ recorder }

func (r *refusing) Handle(ctx context.Context, b *reading.Batch) (int, error) {
	r.recorder.Handle(ctx, b)
	return 0, nil
}

// A packet is acknowledged only for what is kept: a DataTime after the current hour (or
// before 2000) is answered 100 and not handed on; a packet whose every value the pipeline
// refuses is answered 100 and counted rejected, not accepted.
func TestAnswersMatchWhatIsKept(t *testing.T) {
	_, addr, rec, m := startServer(t, nil)
	hour := time.Now().In(time.FixedZone("CST", 8*3600)).Truncate(time.Hour)
	withAck := func(dataTime string) string {
		body := strings.Replace(strings.Replace(A3[6:len(A3)-6], "Flag=4", "Flag=5", 1), "DataTime=20260301080000", "DataTime="+dataTime, 1)
		return string(hj212.Frame(body))
	}
	qn := &hj212.Packet{QN: "20260301090000001", PW: "123456", MN: "010000A8900016F000169DC0"}
	// The running hour (CN 2061 DataTime = its start), the next one, and a clock never set.
	answers := send(t, addr, withAck(hour.Format("20060102150405")), withAck(hour.Add(time.Hour).Format("20060102150405")), withAck("19990101000000"))
	want := []string{string(hj212.DataAck(qn)), string(hj212.RequestAnswer(qn, 100)), string(hj212.RequestAnswer(qn, 100))}
	for i := range want {
		if answers[i] != want[i] {
			t.Errorf("answer %d = %q, want %q", i, answers[i], want[i])
		}
	}
	if n := len(rec.readings()); n != 1 {
		t.Errorf("%d readings handed on, want 1 (the running hour)", n)
	}
	if got := testutil.ToFloat64(m.Packets.WithLabelValues("hj212", "datatime")); got != 2 {
		t.Errorf("datatime %v, want 2", got)
	}

	_, addr2, _, m2 := startServerWith(t, &refusing{})
	if a := send(t, addr2, withAck("20260301080000")); a[0] != string(hj212.RequestAnswer(qn, 100)) {
		t.Errorf("every value refused: answer %q, want QnRtn 100", a[0])
	}
	if r, a := testutil.ToFloat64(m2.Packets.WithLabelValues("hj212", "rejected")), testutil.ToFloat64(m2.Packets.WithLabelValues("hj212", "accepted")); r != 1 || a != 0 {
		t.Errorf("every value refused: rejected %v accepted %v, want 1 and 0", r, a)
	}
}
