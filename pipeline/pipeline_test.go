package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/store"
	"github.com/envwatch/envwatch/waterquality"
)

type memSink struct {
	lines bytes.Buffer
	err   error
}

func (m *memSink) WriteLines(_ context.Context, b []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	m.lines.Write(b)
	return bytes.Count(b, []byte{'\n'}), nil
}

func d(s string) fixed.Dec { v, _ := fixed.Parse(s); return v }

// openState opens a state store in a temporary directory, closed after the test.
func openState(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestValidationReasonsAndEngine(t *testing.T) {
	reg := prometheus.NewRegistry()
	sink := &memSink{}
	net := airquality.NewNetwork(airquality.CityOptions{})
	p := New([]Site{{Kind: reading.Air, Code: "1812A", Area: "xigong"}, {Kind: reading.Water, Code: "W1", Area: "luolong"}}, net, sink, reg,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.now = func() time.Time { return time.Date(2022, 6, 2, 0, 0, 0, 0, time.UTC) }
	end := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	b := &reading.Batch{Source: "test", Readings: []reading.Reading{
		{Kind: reading.Air, Site: "1812A", End: end, Values: []reading.Value{
			{Code: "pm2_5", V: d("21"), Flag: "N"},
			{Code: "pm10", V: d("-3"), Flag: "N"},        // negative
			{Code: "so2", V: d("20000"), Flag: "N"},      // above maximum
			{Code: "no2", V: d("30"), Flag: "X"},         // invalid flag
			{Code: "benzene", V: d("1"), Flag: "N"},      // unknown code
			{Code: "o3", V: d("120"), Flag: "M"},         // kept in InfluxDB, not in statistics
			{Code: "co", Flag: reading.FlagNotMonitored}, // no number: in the flags only
		}},
		{Kind: reading.Air, Site: "1812A", End: end, Values: []reading.Value{{Code: "pm2_5", V: d("22")}}}, // duplicate
		{Kind: reading.Air, Site: "9999A", End: end, Values: []reading.Value{{Code: "pm2_5", V: d("22")}}}, // unknown site
		{Kind: reading.Air, Site: "1812A", End: end.Add(30 * time.Minute), Values: []reading.Value{{Code: "pm2_5", V: d("22")}}},
		{Kind: reading.Water, Site: "W1", End: end, Values: []reading.Value{{Code: "ph", V: d("7.5"), Flag: "N"}, {Code: "ph2", V: d("1")},
			{Code: "do", Flag: reading.FlagNotMonitored}}}, // "/" is an air station's word: refused for water
	}}
	n, err := p.Handle(context.Background(), b)
	if err != nil || n != 2 {
		t.Fatalf("accepted %d, %v; want 2", n, err)
	}
	for reason, want := range map[string]float64{ReasonNegative: 1, ReasonAboveMaximum: 1, ReasonInvalidFlag: 2,
		ReasonUnknownCode: 2, ReasonDuplicate: 1, ReasonUnknownSite: 1, ReasonBadTime: 1} {
		if got := testutil.ToFloat64(p.rejected.WithLabelValues("test", reason)); got != want {
			t.Errorf("rejected %s = %v, want %v", reason, got, want)
		}
	}
	// The same counts as the API reads them: largest first, then by source and reason.
	var rs []string
	for _, r := range p.Rejections() {
		rs = append(rs, fmt.Sprintf("%s/%s=%d", r.Source, r.Reason, r.Count))
	}
	if got, want := strings.Join(rs, " "), "test/invalid_flag=2 test/unknown_code=2 test/above_maximum=1 test/bad_time=1 test/duplicate=1 test/negative=1 test/unknown_site=1"; got != want {
		t.Errorf("Rejections: %s, want %s", got, want)
	}
	lines := sink.lines.String()
	// The repeat of the hour updates the value it carries (PM2.5 22), the others stay.
	want := "air_hourly,station=1812A,area=xigong pm2_5=22,o3=120,o3_flag=\"M\",co_flag=\"/\" 1654070400\n" +
		"water_sample,section=W1,area=luolong ph=7.5,ph_flag=\"N\" 1654070400\n"
	if lines != want {
		t.Errorf("sink got:\n%s\nwant:\n%s", lines, want)
	}
	idx, _ := net.Station("1812A")
	day, _ := net.Series(idx).Day(airquality.DayFromDate(2022, 6, 1))
	if v, ok := day.Hour(airquality.PM25, 15); !ok || v != d("22") {
		t.Errorf("engine PM2.5 of the hour ending 16:00 Beijing = %s %v", v, ok)
	}
	if _, ok := day.Hour(airquality.O3, 15); ok {
		t.Error("an M-flagged value entered the statistics")
	}
	if _, ok := day.Hour(airquality.CO, 15); ok || !day.NotMonitored(airquality.CO, 15) || day.NotMonitored(airquality.O3, 15) {
		t.Error("CO not monitored is not recorded as such (or O3 flagged M is)")
	}
	if l := p.Snapshot().Latest["1812A"]; !l.End.Equal(end) || !l.Values[airquality.PM25].OK {
		t.Errorf("latest %+v", l)
	}
}

func TestSinkFailureReturned(t *testing.T) {
	sink := &memSink{err: errors.New("connection refused")}
	p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, airquality.NewNetwork(airquality.CityOptions{}), sink, nil,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	_, err := p.Handle(context.Background(), &reading.Batch{Source: "s", Readings: []reading.Reading{
		{Kind: reading.Air, Site: "A", End: time.Date(2022, 1, 1, 1, 0, 0, 0, time.UTC), Values: []reading.Value{{Code: "pm10", V: d("5")}}}}})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
}

// Engine state persists in the state store and is restored by a new pipeline.
func TestPersistAndRestore(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sites := []Site{{Kind: reading.Air, Code: "A", Area: "x"}, {Kind: reading.Water, Code: "W1", Area: "x"}}
	build := func() (*Pipeline, *airquality.Network) {
		net := airquality.NewNetwork(airquality.CityOptions{})
		p := New(sites, net, nil, nil, quiet)
		net.SetArea("x", []string{"A"})
		if err := p.UseState(st, 0); err != nil {
			t.Fatal(err)
		}
		return p, net
	}
	p1, net1 := build()
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC) // 2022-06-01 00:00 Beijing
	var rs []reading.Reading
	for h := 1; h <= 48; h++ {
		rs = append(rs, reading.Reading{Kind: reading.Air, Site: "A", End: start.Add(time.Duration(h) * time.Hour),
			Values: []reading.Value{{Code: "pm2_5", V: d(strconv.Itoa(20 + h)), Flag: "N"}, {Code: "o3", V: d("100"), Flag: "N"}}})
	}
	rs = append(rs, reading.Reading{Kind: reading.Water, Site: "W1", End: start.Add(10 * time.Hour),
		Values: []reading.Value{{Code: "nh3n", V: d("0.8"), Flag: "N"}, {Code: "tp", V: d("0.3"), Flag: "M"}}})
	if _, err := p1.Handle(context.Background(), &reading.Batch{Source: "s", Readings: rs}); err != nil {
		t.Fatal(err)
	}
	p2, net2 := build()
	r := airquality.Range{From: airquality.DayFromDate(2022, 6, 1), To: airquality.DayFromDate(2022, 6, 2)}
	a := airquality.Assess(net1.AreaDays("x", r), r, airquality.PeriodOptions{})
	b := airquality.Assess(net2.AreaDays("x", r), r, airquality.PeriodOptions{})
	if a.Mean[airquality.PM25].Value.Cmp(b.Mean[airquality.PM25].Value) != 0 || b.Mean[airquality.PM25].N != 2 {
		t.Errorf("restored PM2.5 mean %v (N %d), before %v", b.Mean[airquality.PM25].Value, b.Mean[airquality.PM25].N, a.Mean[airquality.PM25].Value)
	}
	if l := p2.Snapshot().Latest["A"]; !l.End.Equal(rs[47].End) || l.Values[airquality.PM25].C != d("68") {
		t.Errorf("restored latest %+v", l)
	}
	ws := p2.WaterSamples("W1", start, start.Add(24*time.Hour))
	if len(ws) != 1 {
		t.Fatalf("restored water samples %d", len(ws))
	}
	if v, ok := ws[0].Get(waterquality.NH3N); !ok || v != d("0.8") {
		t.Errorf("nh3n %s", v)
	}
	if _, ok := ws[0].Get(waterquality.TP); ok {
		t.Error("an M-flagged value entered the water evaluation")
	}
	st.Close()
}

// A station code with a stray space or in lower case is the configured station; a code
// that is not configured is rejected as unknown_site, counted every time and logged once.
func TestSiteCodesFoldedAndUnknownCounted(t *testing.T) {
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	p := New([]Site{{Kind: reading.Air, Code: "1812A", Area: "ly"}}, airquality.NewNetwork(airquality.CityOptions{}), nil, reg,
		slog.New(slog.NewTextHandler(&logs, nil)))
	end := time.Date(2022, 6, 1, 1, 0, 0, 0, time.UTC)
	mk := func(site string, h int) reading.Reading {
		return reading.Reading{Kind: reading.Air, Period: reading.Hour, Site: site, End: end.Add(time.Duration(h) * time.Hour),
			Values: []reading.Value{{Code: "pm2_5", V: fixed.Int(30), Flag: "N"}}}
	}
	n, err := p.Handle(context.Background(), &reading.Batch{Source: "s", Readings: []reading.Reading{
		mk("1812A ", 0), mk("1812a", 1), mk(" 1812a ", 2), mk("9999X", 3), mk("9999X", 4)}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("accepted %d, want 3", n)
	}
	if got := testutil.ToFloat64(p.rejected.WithLabelValues("s", ReasonUnknownSite)); got != 2 {
		t.Errorf("unknown_site = %v, want 2", got)
	}
	if c := strings.Count(logs.String(), "site=9999X"); c != 1 {
		t.Errorf("unknown code logged %d times, want once:\n%s", c, logs.String())
	}
}
