package hj212

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// docs/standards.md §6.6 packets.
const (
	P1 = "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
	P2 = "##0411QN=20220513162608370;ST=22;CN=2051;PW=123456;MN=JLYP01_AIR01_0001;Flag=4;CP=&&DataTime=20220513162600;a21004-Avg=4,a21004-Flag=N;a05024-Avg=63,a05024-Flag=N;a21026-Avg=6,a21026-Flag=N;a21005-Avg=0.427,a21005-Flag=N;a34004-Avg=14,a34004-Flag=N;a34002-Avg=31,a34002-Flag=N;a01007-Avg=1,a01007-Flag=N;a01008-Avg=11,a01008-Flag=N;a01001-Avg=17,a01001-Flag=N;a01002-Avg=85,a01002-Flag=N;a01006-Avg=95,a01006-Flag=N&&D641\r\n"
	P3 = "##0435QN=20210301111100112;ST=21;CN=2011;PW=123456;MN=ZLDSZ20210127;Flag=8;CP=&&DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N;w01009-Rtd=10.15,w01009-Flag=N;w01010-Rtd=9.7,w01010-Flag=N;w01014-Rtd=1425,w01014-Flag=N;w01003-Rtd=13.10,w01003-Flag=N;w21011-Rtd=0,w21011-Flag=N;w21001-Rtd=3.563168,w21001-Flag=N;w21003-Rtd=0.09055002,w21003-Flag=N;w01019-Rtd=4.102818,w01019-Flag=N;w01008-Rtd=0,w01008-Flag=N;w23002-Rtd=0,w23002-Flag=N&&7d00\r\n"
	P4 = "##0317QN=20191012133710130;ST=22;CN=2011;PW=123456;MN=Y80110010000010;Flag=4;CP=&&DataTime=20191012133710;a21005-Rtd=0.00,a21005-Flag=N;a21004-Rtd=0.00,a21004-Flag=N;a21007-Rtd=0.033,a21007-Flag=N;a21006-Rtd=0.036,a21006-Flag=N;a21001-Rtd=25.40,a21001-Flag=N;a21003-Rtd=101.94,a21003-Flag=N;a21002-Rtd=49.20,a21002-Flag=N&&cc01\r\n"
	P5 = "##0109ST=32;CN=2011;PW=123456;MN=NJGDKYYC202101q0001w0001;CP=&&DataTime=20210305003817000;ele01-Rtd=1;ele02-Rtd=0&&8c41\r\n"
	A1 = "##0080QN=20220513162608370;ST=91;CN=9014;PW=123456;MN=JLYP01_AIR01_0001;Flag=4;CP=&&&&18C0\r\n"
	A2 = "##0094QN=20160801085857223;ST=91;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&1B00\r\n"
	A3 = "##0278QN=20260301090000001;ST=22;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20260301080000;a34004-Avg=35,a34004-Flag=N;a34002-Avg=60,a34002-Flag=N;a05024-Avg=80,a05024-Flag=N;a21026-Avg=8,a21026-Flag=N;a21004-Avg=40,a21004-Flag=N;a21005-Avg=0.6,a21005-Flag=N&&2080\r\n"
)

func TestVectorsUnframe(t *testing.T) {
	for name, p := range map[string]string{"P1": P1, "P2": P2, "P3": P3, "P4": P4, "P5": P5, "A1": A1, "A2": A2, "A3": A3} {
		seg, err := Unframe([]byte(p), MaxSegment)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := Parse(seg); err != nil {
			t.Errorf("%s: parse: %v", name, err)
		}
	}
}

func TestCRCVectors(t *testing.T) {
	seg := "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
	if got := CRC([]byte(seg)); got != 0x1C80 {
		t.Errorf("P1 CRC %04X, want 1C80", got)
	}
	a4 := "QN=20260301090000001;ST=21;CN=2011;PW=123456;MN=W1;Flag=4;CP=&&DataTime=20260301090000;w01001-Rtd=7.5,w01001-Flag=N;Remark=测试&&"
	if len(a4) != 131 || CRC([]byte(a4)) != 0xB401 {
		t.Errorf("A4: %d bytes CRC %04X, want 131 B401 (UTF-8 bytes)", len(a4), CRC([]byte(a4)))
	}
	if !bytes.Equal(Frame(seg), []byte(P1)) {
		t.Errorf("Frame(P1 segment) = %q", Frame(seg))
	}
}

// N1 and guocay's other samples carry wrong CRCs and must be rejected with QnRtn 9.
func TestCRCTableMatchesBitwise(t *testing.T) {
	for _, p := range []string{P1, P2, P3, P4, P5, A1, A2, A3, "", "测试"} {
		if CRC([]byte(p)) != crcBitwise([]byte(p)) {
			t.Errorf("table and bitwise CRC differ on %q", p)
		}
	}
	// Every length through several 8-byte blocks and tails, every byte value.
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	for n := 0; n <= len(b); n++ {
		if CRC(b[:n]) != crcBitwise(b[:n]) {
			t.Fatalf("sliced and bitwise CRC differ at length %d", n)
		}
	}
}

func TestBadCRC(t *testing.T) {
	bad := strings.Replace(P2, "D641", "D642", 1)
	_, err := Unframe([]byte(bad), MaxSegment)
	if !errors.Is(err, ErrCRC) || QnRtn(err) != 9 {
		t.Errorf("bad CRC: %v (QnRtn %d)", err, QnRtn(err))
	}
	if _, err := Unframe([]byte(strings.Replace(P1, "0101", "0100", 1)), MaxSegment); !errors.Is(err, ErrLength) {
		t.Errorf("wrong length field: %v", err)
	}
	if _, err := Unframe([]byte(P2), 100); !errors.Is(err, ErrTooLong) {
		t.Errorf("over-long: %v", err)
	}
	for _, g := range []string{"", "hello", "##abcd", "##0005abcde1234\r\n", "##0001x"} {
		if _, err := Unframe([]byte(g), MaxSegment); err == nil {
			t.Errorf("garbage %q accepted", g)
		}
	}
}

func TestAnswers(t *testing.T) {
	seg, _ := Unframe([]byte(P2), MaxSegment)
	p, _ := Parse(seg)
	if got := string(DataAck(&p)); got != A1 {
		t.Errorf("9014 for P2:\n got %q\nwant %q", got, A1)
	}
	seg, _ = Unframe([]byte(P1), MaxSegment)
	p, _ = Parse(seg)
	if !p.AckRequested() {
		t.Error("P1 Flag=5 asks for an answer")
	}
	p.PW = "123456" // A2 was constructed with this password
	if got := string(RequestAnswer(&p, 1)); got != A2 {
		t.Errorf("9011:\n got %q\nwant %q", got, A2)
	}
}

func TestParseFields(t *testing.T) {
	seg, _ := Unframe([]byte(P2), MaxSegment)
	p, _ := Parse(seg)
	if p.ST != "22" || p.CN != "2051" || p.MN != "JLYP01_AIR01_0001" || p.Flag != 4 || p.AckRequested() {
		t.Errorf("P2 header %+v", p)
	}
	d, err := ParseCP(p.CP)
	avg, _ := d.Items[3].Get("Avg")
	flag, _ := d.Items[3].Get("Flag")
	if err != nil || len(d.Items) != 11 || d.Items[3].Code != "a21005" || avg != "0.427" || flag != "N" {
		t.Errorf("P2 CP %+v %v", d, err)
	}
	loc := time.FixedZone("CST", 8*3600)
	if tm, err := ParseTime(d.DataTime(), loc); err != nil || tm.Format(time.RFC3339) != "2022-05-13T16:26:00+08:00" {
		t.Errorf("DataTime %v %v", tm, err)
	}
	seg, _ = Unframe([]byte(P5), MaxSegment)
	p, err = Parse(seg)
	if err != nil || p.QN != "" || p.HasFlag || p.MN != "NJGDKYYC202101q0001w0001" {
		t.Errorf("P5 %+v %v", p, err)
	}
	d, _ = ParseCP(p.CP)
	if tm, err := ParseTime(d.DataTime(), loc); err != nil || tm.Format("2006-01-02 15:04:05.000") != "2021-03-05 00:38:17.000" {
		t.Errorf("P5 17-digit DataTime %v %v", tm, err)
	}
}

func TestReaderResyncAndLimit(t *testing.T) {
	stream := "garbage" + P1 + "\r\n" + P4 + "##9999"
	r := NewReader(strings.NewReader(stream), MaxSegment)
	for _, want := range []string{P1, P4} {
		f, err := r.Next()
		if err != nil || string(f) != want {
			t.Fatalf("Next = %q %v, want %q", f, err, want)
		}
	}
	if _, err := r.Next(); !errors.Is(err, ErrTooLong) {
		t.Errorf("over-long length field: %v", err)
	}
}

func FuzzUnframeParse(f *testing.F) {
	for _, p := range []string{P1, P2, P3, P4, P5, A1, A3} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		seg, err := Unframe(b, MaxSegment)
		if err != nil {
			return
		}
		p, err := Parse(seg)
		if err != nil {
			return
		}
		_, _ = ParseCP(p.CP)
		r := NewReader(bytes.NewReader(b), MaxSegment)
		_, _ = r.Next()
	})
}

func BenchmarkParseAirPacket(b *testing.B) {
	frame := []byte(P2)
	b.ReportAllocs()
	for b.Loop() {
		seg, _ := Unframe(frame, MaxSegment)
		p, _ := Parse(seg)
		_, _ = ParseCP(p.CP)
	}
}

// As the receiver parses: one Data per connection, reused packet after packet.
func BenchmarkParseAirPacketReuse(b *testing.B) {
	frame := []byte(P2)
	var d Data
	b.ReportAllocs()
	for b.Loop() {
		seg, _ := Unframe(frame, MaxSegment)
		p, _ := Parse(seg)
		if err := ParseCPInto(p.CP, &d); err != nil || len(d.Items) != 11 {
			b.Fatal(err, len(d.Items))
		}
	}
}

// Reusing a Data must not leak the previous packet's items or parameters.
func TestParseCPIntoReuse(t *testing.T) {
	var d Data
	if err := ParseCPInto("DataTime=20220101000000;a1-Avg=1,a1-Flag=N;a2-Avg=2;a1-Max=3", &d); err != nil {
		t.Fatal(err)
	}
	if err := ParseCPInto("QnRtn=1;b1-Rtd=7", &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].Code != "b1" || len(d.Items[0].Fields) != 1 || d.DataTime() != "" {
		t.Errorf("reused data %+v", d)
	}
	if v, ok := d.Param("QnRtn"); !ok || v != "1" {
		t.Errorf("QnRtn %q %v", v, ok)
	}
	if err := ParseCPInto("a1-Avg", &d); err == nil {
		t.Error("field without = accepted")
	}
}

func TestParseCPSplitItems(t *testing.T) {
	d, err := ParseCP("DataTime=20220101000000;a1-Avg=1,a1-Flag=N;a2-Avg=2;a1-Max=3,a2-Flag=D")
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, it := range d.Items {
		got += it.Code + ":"
		for _, f := range it.Fields {
			got += f.Name + "=" + f.Value + ","
		}
		got += " "
	}
	if got != "a1:Avg=1,Flag=N,Max=3, a2:Avg=2,Flag=D, " || d.DataTime() != "20220101000000" {
		t.Errorf("items %q params %v", got, d.Params)
	}
}

// The CP area alone (mutated frames rarely pass the CRC): no panic, and a reused Data that
// held another packet gives the same answer as a fresh one.
func FuzzParseCPReuse(f *testing.F) {
	for _, p := range []string{P2, P3, P4, P5, A3} {
		seg, err := Unframe([]byte(p), MaxSegment)
		if err != nil {
			f.Fatal(err)
		}
		pk, _ := Parse(seg)
		f.Add(pk.CP)
	}
	f.Add("a1-Avg=1;a2-Avg=2,a1-Max=3;;=;-=x;k=")
	f.Fuzz(func(t *testing.T, cp string) {
		fresh, err1 := ParseCP(cp)
		reused := Data{}
		_ = ParseCPInto("x1-Avg=1,x1-Flag=N;y2-Rtd=2;DataTime=20200101000000", &reused)
		err2 := ParseCPInto(cp, &reused)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("ParseCP error %v, ParseCPInto error %v", err1, err2)
		}
		if err1 == nil && fmt.Sprint(fresh.Params, fresh.Items) != fmt.Sprint(reused.Params, reused.Items) {
			t.Fatalf("reuse differs: %v %v vs %v %v", fresh.Params, fresh.Items, reused.Params, reused.Items)
		}
	})
}
