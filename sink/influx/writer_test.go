package influx

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/internal/testenv"
	"github.com/envwatch/envwatch/reading"
)

var shared testenv.Lazy

func TestMain(m *testing.M) { testenv.Main(m, &shared) }

func mustDec(t *testing.T, s string) fixed.Dec {
	d, err := fixed.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// query returns the rows of the first series of an InfluxQL result.
func query(t *testing.T, db, q string) [][]any {
	t.Helper()
	v, err := shared.Get(t).Values(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readings(t *testing.T, hours int) []reading.Reading {
	start := time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)
	var out []reading.Reading
	for h := 1; h <= hours; h++ {
		out = append(out, reading.Reading{Kind: reading.Air, Site: "1812A", End: start.Add(time.Duration(h) * time.Hour),
			Values: []reading.Value{
				{Code: "pm2_5", V: mustDec(t, fmt.Sprint(20+h)), Flag: "N"},
				{Code: "co", V: mustDec(t, "0.427"), Flag: "N"},
			}})
	}
	return out
}

// Points written through the sink read back from a real influxd with the right count and
// values, for the 1.8 "db/rp" bucket of the default policy and of an explicit policy.
func TestWriteAndReadBack(t *testing.T) {
	influxd := shared.Get(t)
	ctx := context.Background()
	for _, c := range []struct {
		db, rp, bucket string
		gzip           bool
	}{
		{"t_default", "", "t_default/autogen", false},
		{"t_rp", "hourly", "t_rp/hourly", false},
		{"t_bare", "", "t_bare", false},
		{"t_gzip", "", "t_gzip", true},
	} {
		t.Run(c.bucket, func(t *testing.T) {
			if err := influxd.CreateDatabase(ctx, c.db, c.rp); err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			w := New(Options{URL: influxd.URL, Bucket: c.bucket, BatchSize: 7, Gzip: c.gzip}, reg)
			defer w.Close()
			if err := w.Health(ctx); err != nil {
				t.Fatal(err)
			}
			var buf []byte
			// First writes, as the pipeline makes them: an all-N hour carries no flag field.
			for _, r := range readings(t, 30) {
				buf = AppendReadingWith(buf, &r, Tags{Area: "xigong"}, Extra{First: true})
			}
			n, err := w.WriteLines(ctx, buf)
			if err != nil || n != 30 {
				t.Fatalf("wrote %d, %v", n, err)
			}
			from := "air_hourly"
			if c.rp != "" {
				from = fmt.Sprintf("%q.%q.air_hourly", c.db, c.rp)
			}
			rows := query(t, c.db, "SELECT count(pm2_5), sum(pm2_5), max(co) FROM "+from)
			if len(rows) != 1 || rows[0][1] != 30.0 || rows[0][2] != float64(30*20+30*31/2) || rows[0][3] != 0.427 {
				t.Errorf("read back %v, want count 30 sum 1065 max co 0.427", rows)
			}
			first := query(t, c.db, "SELECT pm2_5, pm2_5_flag, station, area FROM "+from+" ORDER BY time LIMIT 1")
			if len(first) != 1 || first[0][0] != "2022-06-01T01:00:00Z" || first[0][1] != 21.0 || first[0][2] != nil || first[0][3] != "1812A" || first[0][4] != "xigong" {
				t.Errorf("first point %v", first)
			}
			if got := testutil.ToFloat64(w.metrics.written); got != 30 {
				t.Errorf("points written metric %v, want 30", got)
			}
			// Rewriting the same series and times with a revised value overwrites.
			rev := readings(t, 1)
			rev[0].Values[0].V = mustDec(t, "99")
			rev[0].Values[0].Flag = "M"
			if _, err := w.WriteLines(ctx, AppendReading(nil, &rev[0], Tags{Area: "xigong"})); err != nil {
				t.Fatal(err)
			}
			rows = query(t, c.db, "SELECT count(pm2_5), sum(pm2_5) FROM "+from)
			if rows[0][1] != 30.0 || rows[0][2] != float64(30*20+30*31/2-21+99) {
				t.Errorf("after revision %v, want 30 points, sum 1143", rows)
			}
			flags := query(t, c.db, "SELECT count(pm2_5_flag) FROM "+from+" WHERE pm2_5_flag = 'M'")
			if len(flags) != 1 || flags[0][1] != 1.0 {
				t.Errorf("revised flag count %v, want 1 (a flag is a field, not a new series)", flags)
			}
			// Revised back to N: the flag is cleared in InfluxDB too, and reads back as N.
			rev[0].Values[0].Flag = "N"
			if _, err := w.WriteLines(ctx, AppendReading(nil, &rev[0], Tags{Area: "xigong"})); err != nil {
				t.Fatal(err)
			}
			if flags := query(t, c.db, "SELECT count(pm2_5_flag) FROM "+from+" WHERE pm2_5_flag = 'M'"); len(flags) != 0 {
				t.Errorf("a flag cleared by a revision stays in InfluxDB: %v", flags)
			}
			rd := &Reader{URL: influxd.URL, Database: c.db, RetentionPolicy: c.rp, Client: http.DefaultClient}
			bySource, err := rd.Readings(ctx, MeasurementAirHourly, rev[0].End.Add(-time.Minute), rev[0].End.Add(time.Minute))
			back := bySource[""]
			if err != nil || len(bySource) != 1 || len(back) != 1 {
				t.Fatalf("read back %v, %v; want one reading without a source tag", bySource, err)
			}
			for _, v := range back[0].Values {
				if v.Code == "pm2_5" && (v.Flag != "N" || v.V.String() != "99") {
					t.Errorf("revised value reads back %s/%s, want 99/N", v.V, v.Flag)
				}
			}
		})
	}
}

func TestWriteFailureCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	w := New(Options{URL: "http://127.0.0.1:1", Bucket: "nope", Timeout: time.Second}, reg)
	defer w.Close()
	r := readings(t, 3)
	var buf []byte
	for i := range r {
		buf = AppendReading(buf, &r[i], Tags{})
	}
	if _, err := w.WriteLines(context.Background(), buf); err == nil {
		t.Fatal("write to a closed port succeeded")
	}
	if got := testutil.ToFloat64(w.metrics.failed); got != 3 {
		t.Errorf("failed points %v, want 3", got)
	}
}

func TestLineProtocolEscaping(t *testing.T) {
	r := reading.Reading{Kind: reading.Water, Site: "黄河 大横岭,1", End: time.Unix(1654041600, 0),
		Values: []reading.Value{{Code: "nh3n", V: mustDec(t, "0.09055002"), Flag: `N"x`}}}
	got := string(AppendReading(nil, &r, Tags{Area: "a=b"}))
	want := `water_sample,section=黄河\ 大横岭\,1,area=a\=b nh3n=0.09055002,nh3n_flag="N\"x" 1654041600` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if out := AppendReading(nil, &reading.Reading{Kind: reading.Air, Site: "x"}, Tags{}); len(out) != 0 {
		t.Errorf("empty reading encoded as %q", out)
	}
	if !strings.HasPrefix(string(AppendPoint(nil, "air_daily", [][2]string{{"area", "luoyang"}}, []Field{{Key: "aqi", Float: "76"}, {Key: "primary", Str: "pm2_5", IsText: true}}, 1)), `air_daily,area=luoyang aqi=76,primary="pm2_5" 1`) {
		t.Error("derived point encoding")
	}
}

// needsKeyEscape finds exactly the bytes line protocol escapes in keys and tag values.
func TestNeedsKeyEscape(t *testing.T) {
	for _, s := range []string{"", "1812A", "xigong", "洛阳市", "a=b", "a,b", "a b", `a\b`, "a\nb", "pm2_5", `"q"`, "tab\there"} {
		if got, want := needsKeyEscape(s), strings.ContainsAny(s, ",= \\\n"); got != want {
			t.Errorf("needsKeyEscape(%q) = %v, want %v", s, got, want)
		}
	}
}

// A pollutant not monitored ("/") has no number: its point carries it in its flag only,
// also when every value of the hour is "/", and it reads back as not monitored — also
// over a number an earlier write left in the point.
func TestNotMonitoredLine(t *testing.T) {
	end := time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)
	r := reading.Reading{Kind: reading.Air, Site: "1957A", End: end, Values: []reading.Value{
		{Code: "pm2_5", V: mustDec(t, "12"), Flag: "N"}, {Code: "so2", Flag: reading.FlagNotMonitored}, {Code: "co", Flag: reading.FlagNotMonitored}}}
	got := string(AppendReadingWith(nil, &r, Tags{Area: "a"}, Extra{First: true, Fields: []Field{WholeFloat("aqi", 18)}}))
	if want := `air_hourly,station=1957A,area=a pm2_5=12,so2_flag="/",co_flag="/",aqi=18 1782878400` + "\n"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	r.Values = r.Values[1:]
	got = string(AppendReadingWith(nil, &r, Tags{Area: "a"}, Extra{First: true}))
	if want := `air_hourly,station=1957A,area=a so2_flag="/",co_flag="/" 1782878400` + "\n"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}

	influxd := shared.Get(t)
	ctx := context.Background()
	if err := influxd.CreateDatabase(ctx, "t_unmonitored", ""); err != nil {
		t.Fatal(err)
	}
	w := New(Options{URL: influxd.URL, Bucket: "t_unmonitored"}, prometheus.NewRegistry())
	defer w.Close()
	earlier := reading.Reading{Kind: reading.Air, Site: "1957A", End: end, Values: []reading.Value{{Code: "so2", V: mustDec(t, "7"), Flag: "N"}}}
	lines := AppendReading(nil, &earlier, Tags{Area: "a"})
	lines = AppendReading(lines, &r, Tags{Area: "a"})
	if _, err := w.WriteLines(ctx, lines); err != nil {
		t.Fatal(err)
	}
	rd := &Reader{URL: influxd.URL, Database: "t_unmonitored", Client: http.DefaultClient}
	back, err := rd.Readings(ctx, MeasurementAirHourly, end.Add(-time.Hour), end)
	if err != nil || len(back[""]) != 1 {
		t.Fatalf("read back %v, %v", back, err)
	}
	var codes []string
	for _, v := range back[""][0].Values {
		if !v.NotMonitored() || v.V != 0 {
			t.Errorf("value %+v, want not monitored without a number", v)
		}
		codes = append(codes, v.Code)
	}
	slices.Sort(codes)
	if strings.Join(codes, ",") != "co,so2" {
		t.Errorf("read back %v, want so2 and co not monitored", codes)
	}
}

// Points of earlier versions read back: a `flags` field gives the flag of a value without
// a flag field of its own, a value's own field decides, and a `source` tag keeps its
// points apart for rebuild to replay in order.
func TestEarlierPointsReadBack(t *testing.T) {
	influxd := shared.Get(t)
	ctx := context.Background()
	if err := influxd.CreateDatabase(ctx, "t_earlier", ""); err != nil {
		t.Fatal(err)
	}
	w := New(Options{URL: influxd.URL, Bucket: "t_earlier"}, prometheus.NewRegistry())
	defer w.Close()
	lines := "air_hourly,station=1812A,area=a,source=hj pm2_5=50,o3=80,flags=\"pm2_5:M;so2:/\" 1654070400\n" +
		"air_hourly,station=1814A,area=a pm2_5=40,o3=70,flags=\"pm2_5:M;o3:D\",pm2_5_flag=\"N\" 1654070400\n"
	if _, err := w.WriteLines(ctx, []byte(lines)); err != nil {
		t.Fatal(err)
	}
	rd := &Reader{URL: influxd.URL, Database: "t_earlier", Client: http.DefaultClient}
	back, err := rd.Readings(ctx, MeasurementAirHourly, time.Unix(1654070400-60, 0), time.Unix(1654070400, 0))
	if err != nil || len(back["hj"]) != 1 || len(back[""]) != 1 {
		t.Fatalf("read back %v, %v; want one point tagged hj and one untagged", back, err)
	}
	flags := func(r reading.Reading) string {
		var out []string
		for _, v := range r.Values {
			out = append(out, v.Code+":"+v.Flag)
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	if got := flags(back["hj"][0]); got != "o3:N pm2_5:M so2:/" {
		t.Errorf("a point with the former flags field: %s", got)
	}
	if got := flags(back[""][0]); got != "o3:D pm2_5:N" {
		t.Errorf("a value's own flag field over the former flags: %s", got)
	}
}
