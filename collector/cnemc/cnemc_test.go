package cnemc

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/filetrack"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/internal/cnemcsample"
	"github.com/envwatch/envwatch/internal/testenv"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
)

var shared testenv.Lazy

func TestMain(m *testing.M) { testenv.Main(m, &shared) }

var luoyang = []string{"1812A", "1814A", "1815A", "1816A", "1817A", "3340A", "3341A", "3593A", "3635A", "3636A"}

func archiveParser() *Parser {
	m, _ := Preset(PresetArchive)
	st := map[string]bool{}
	for _, s := range luoyang {
		st[s] = true
	}
	return &Parser{Mapping: m, Location: airquality.Shanghai, Stations: st}
}

func TestParseRefdata(t *testing.T) {
	f, err := os.Open("testdata/cnemc_luoyang_hourly_20220601.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, rejects, err := archiveParser().Parse(f, "cnemc_luoyang_hourly_20220601.csv")
	if err != nil || len(rejects) != 0 {
		t.Fatalf("%v %v", err, rejects)
	}
	values := 0
	for _, r := range rs {
		values += len(r.Values)
	}
	if len(rs) != 110 || values != 656 {
		t.Errorf("%d readings, %d values; want 110, 656", len(rs), values)
	}
	first := rs[0]
	// 2022-06-01T00:00:00 Beijing, hour-ending = 2022-05-31T16:00Z; o3 is the 1-h value 78.
	if first.Site != "1812A" || first.End.Format(time.RFC3339) != "2022-05-31T16:00:00Z" {
		t.Errorf("first reading %s %s", first.Site, first.End)
	}
	for _, v := range first.Values {
		if v.Code == "o3" && v.V.String() != "78" {
			t.Errorf("o3 = %s, want the archive's o3_24h column (78)", v.V)
		}
	}
}

func TestParseRejectsBadRows(t *testing.T) {
	in := "timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n" +
		"2022-06-01T01:00:00,1812A,20,30,5,10,0.5,80\n" +
		"2022-06-01T01:00:00,1814A,abc,30,5,10,0.5,80\n" +
		"2022-06-01T01:30:00,1815A,20,30,5,10,0.5,80\n" +
		"2022-06-01T01:00:00,1816A,20\n" +
		"2022-06-01T01:00:00,9999A,20,30,5,10,0.5,80\n"
	p := archiveParser()
	p.Mapping, _ = Preset(PresetCNEMC)
	rs, rejects, err := p.Parse(strings.NewReader(in), "drop/x.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`drop/x.csv:3: column "pm2_5": invalid value "abc": not a decimal number`,
		`drop/x.csv:4: column "timepoint": invalid value "2022-06-01T01:30:00": not on a whole hour`,
		`drop/x.csv:5: 3 fields, the header has 8`,
	}
	if len(rejects) != len(want) {
		t.Fatalf("rejects %v", rejects)
	}
	for i, w := range want {
		if rejects[i].Detail != w || rejects[i].Reason != "parse_error" {
			t.Errorf("reject %d = %q, want %q", i, rejects[i].Detail, w)
		}
	}
	// 1812A complete; 1814A keeps its 5 good values; 9999A is not configured (skipped, not an error).
	if len(rs) != 2 || len(rs[1].Values) != 5 {
		t.Errorf("readings %+v", rs)
	}
	if _, _, err := p.Parse(strings.NewReader("time,station\n"), "h.csv"); err == nil {
		t.Error("header without timepoint accepted")
	}
}

type harness struct {
	job   *collector.Job
	db    string
	st    *store.Store
	sink  *influx.Writer
	reg   *prometheus.Registry
	pl    *pipeline.Pipeline
	quiet *slog.Logger
}

func newHarness(t *testing.T, dir, db string) *harness {
	t.Helper()
	influxd := shared.Get(t)
	if err := influxd.CreateDatabase(context.Background(), db, ""); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := prometheus.NewRegistry()
	w := influx.New(influx.Options{URL: influxd.URL, Bucket: db}, reg)
	t.Cleanup(w.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var sites []pipeline.Site
	for _, s := range luoyang {
		sites = append(sites, pipeline.Site{Kind: reading.Air, Code: s, Area: "luoyang"})
	}
	pl := pipeline.New(sites, airquality.NewNetwork(airquality.CityOptions{}), w, reg, quiet)
	src := &filetrack.Source{Files: &filetrack.Tracker{Dir: dir, Ext: ".csv", State: st.SourceState("cnemc")}, Parse: archiveParser().ParseGroups}
	now := time.Date(2022, 6, 3, 0, 0, 0, 0, time.UTC)
	job := &collector.Job{Name: "cnemc", Source: src, Lookback: 6 * time.Hour, Timeout: time.Minute, Marks: st,
		Handler: pl, Metrics: collector.NewMetrics(reg), Logger: quiet, Now: func() time.Time { return now }}
	return &harness{job: job, db: db, st: st, sink: w, reg: reg, pl: pl, quiet: quiet}
}

func (h *harness) count(t *testing.T, q string) float64 {
	t.Helper()
	influxd := shared.Get(t)
	b, err := influxd.Query(context.Background(), h.db, q)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Results []struct {
			Series []struct {
				Values [][]any `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Results) == 0 || len(res.Results[0].Series) == 0 {
		return 0
	}
	return res.Results[0].Series[0].Values[0][1].(float64)
}

// A directory with the real refdata file and generated files in the same format ingests
// with the exact point count and values; a second run ingests nothing; a revised file
// overwrites only what changed.
func TestDirIngestIntoInfluxDB(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/cnemc_luoyang_hourly_20220601.csv")
	os.MkdirAll(filepath.Join(dir, "2022-06-01"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "2022-06-01", "all.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Generated: 2 June, 24 hours × 10 stations, in the CNEMC format.
	sim := simulate.New(5, luoyang, nil, 0)
	gen, _ := sim.Readings(context.Background(), time.Date(2022, 6, 1, 16, 0, 0, 0, time.UTC), time.Date(2022, 6, 2, 16, 0, 0, 0, time.UTC))
	genPM := 0.0
	genValues := 0
	for _, r := range gen {
		genValues += len(r.Values)
		genPM += r.Values[0].V.Float64()
	}
	os.MkdirAll(filepath.Join(dir, "2022-06-02"), 0o755)
	f, _ := os.Create(filepath.Join(dir, "2022-06-02", "gen.csv"))
	// The archive preset maps o3 to o3_24h: write that header for generated files too.
	var sb strings.Builder
	if err := Write(&sb, gen); err != nil {
		t.Fatal(err)
	}
	f.WriteString(strings.Replace(sb.String(), ",o3\n", ",o3_24h\n", 1))
	f.Close()

	h := newHarness(t, dir, "cnemc_dir")
	if err := h.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantPoints := float64(110 + len(gen))
	written := writtenPoints(h)
	if written != wantPoints {
		t.Errorf("points written %v, want %v (110 refdata rows + %d generated)", written, wantPoints, len(gen))
	}
	if got := h.count(t, "SELECT sum(pm2_5) FROM air_hourly"); got != 2745+genPM {
		t.Errorf("sum of PM2.5 %v, want %v", got, 2745+genPM)
	}
	values := h.count(t, "SELECT count(pm2_5) FROM air_hourly") + h.count(t, "SELECT count(pm10) FROM air_hourly") +
		h.count(t, "SELECT count(so2) FROM air_hourly") + h.count(t, "SELECT count(no2) FROM air_hourly") +
		h.count(t, "SELECT count(co) FROM air_hourly") + h.count(t, "SELECT count(o3) FROM air_hourly")
	if values != float64(656+genValues) {
		t.Errorf("values in InfluxDB %v, want %d", values, 656+genValues)
	}

	// Second run: nothing new.
	if err := h.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := writtenPoints(h); got != wantPoints {
		t.Errorf("a re-run wrote %v more points", got-wantPoints)
	}

	// Revise one value in the generated file: only that file is read again; the point
	// count stays, the value changes.
	b, _ := os.ReadFile(filepath.Join(dir, "2022-06-02", "gen.csv"))
	lines := strings.Split(string(b), "\n")
	fields := strings.Split(lines[1], ",")
	old := fields[2]
	fields[2] = "999"
	lines[1] = strings.Join(fields, ",")
	os.WriteFile(filepath.Join(dir, "2022-06-02", "gen.csv"), []byte(strings.Join(lines, "\n")), 0o644)
	if err := h.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := writtenPoints(h) - wantPoints; got != float64(len(gen)) {
		t.Errorf("revision re-wrote %v points, want the %d of the revised file only", got, len(gen))
	}
	if got := h.count(t, "SELECT count(pm2_5) FROM air_hourly WHERE pm2_5 = 999"); got != 1 {
		t.Errorf("revised value present %v times, want 1 (was %s)", got, old)
	}
	if got := h.count(t, "SELECT count(pm2_5) FROM air_hourly"); got != float64(110-countEmpty(t, "pm2_5")+len(gen)) {
		t.Errorf("PM2.5 points after revision %v", got)
	}
}

func writtenPoints(h *harness) float64 {
	mfs, _ := h.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "envwatch_influxdb_points_written_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return -1
}

// countEmpty counts rows of the refdata file with an empty column.
func countEmpty(t *testing.T, col string) int {
	b, _ := os.ReadFile("testdata/cnemc_luoyang_hourly_20220601.csv")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	header := strings.Split(lines[0], ",")
	idx := -1
	for i, h := range header {
		if h == col {
			idx = i
		}
	}
	n := 0
	for _, l := range lines[1:] {
		// the refdata has quoted primarypollutant values containing commas
		f := splitCSV(l)
		if f[idx] == "" {
			n++
		}
	}
	return n
}

func splitCSV(l string) []string {
	var out []string
	var cur strings.Builder
	q := false
	for _, c := range l {
		switch {
		case c == '"':
			q = !q
		case c == ',' && !q:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	return append(out, cur.String())
}

func BenchmarkParseCNEMC(b *testing.B) {
	sim := simulate.New(5, luoyang, nil, 0)
	gen, _ := sim.Readings(context.Background(), time.Date(2022, 6, 1, 16, 0, 0, 0, time.UTC), time.Date(2022, 6, 11, 16, 0, 0, 0, time.UTC))
	var sb strings.Builder
	Write(&sb, gen)
	data := sb.String()
	p := archiveParser()
	p.Mapping, _ = Preset(PresetCNEMC)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rs, _, _ := p.Parse(strings.NewReader(data), "bench.csv")
		if len(rs) != len(gen) {
			b.Fatal(len(rs))
		}
	}
	b.ReportMetric(float64(len(gen))*float64(b.N)/b.Elapsed().Seconds(), "readings/s")
}

func FuzzParseCNEMC(f *testing.F) {
	b, _ := os.ReadFile("testdata/cnemc_luoyang_hourly_20220601.csv")
	f.Add(b)
	f.Add([]byte("timepoint,stationcode,pm2_5\n2022-06-01T01:00:00,1812A,\"12\n"))
	f.Add([]byte("timepoint,stationcode,o3_24h\n2022-06-01T01:00:00,1812A,1e400\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := archiveParser()
		rs, rejects, err := p.Parse(strings.NewReader(string(data)), "fuzz.csv")
		if err != nil {
			return
		}
		for _, r := range rs {
			if len(r.Values) == 0 || r.End.IsZero() {
				t.Fatalf("empty reading from %q", data)
			}
		}
		_ = rejects
	})
}

// A column in another unit is converted (CO in µg/m³ → mg/m³, 1 mg = 1000 µg); a value that
// cannot be converted is rejected naming file, line, column and value.
func TestParseUnits(t *testing.T) {
	in := "timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n" +
		"2022-06-01T01:00:00,1812A,20,30,5,10,650,80\n" +
		"2022-06-01T01:00:00,1814A,0.021,30,5,10,700,80\n"
	p := archiveParser()
	p.Mapping, _ = Preset(PresetCNEMC)
	var err error
	if p.Units, err = collector.AirUnits(map[string]string{"co": "ug/m3", "pm2_5": "mg/m3"}); err != nil {
		t.Fatal(err)
	}
	rs, rejects, err := p.Parse(strings.NewReader(in), "drop/u.csv")
	if err != nil || len(rs) != 2 || len(rejects) != 0 {
		t.Fatalf("%v %v %v", rs, rejects, err)
	}
	got := func(r reading.Reading, code string) string {
		for _, v := range r.Values {
			if v.Code == code {
				return v.V.String()
			}
		}
		return ""
	}
	if got(rs[0], "co") != "0.65" || got(rs[0], "pm2_5") != "20000" || got(rs[1], "pm2_5") != "21" || got(rs[1], "co") != "0.7" {
		t.Errorf("converted %+v", rs)
	}
	p.Units, _ = collector.AirUnits(map[string]string{"pm10": "mg/m3"})
	_, rejects, _ = p.Parse(strings.NewReader("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n2022-06-01T01:00:00,1812A,20,900000000,5,10,0.6,80\n"), "drop/v.csv")
	if len(rejects) != 1 || rejects[0].Detail != `drop/v.csv:2: column "pm10": invalid value "900000000": 900000000 mg/m3: number out of range` {
		t.Errorf("rejects %v", rejects)
	}
	if _, err := collector.AirUnits(map[string]string{"co": "ppm"}); err == nil {
		t.Error("ppm accepted")
	}
}

// Rows whose station code has a stray space or another case are the configured station,
// not silently dropped by the national-file filter.
func TestStationCodesTrimmedAndFolded(t *testing.T) {
	p := &Parser{Mapping: Mapping{Time: "timepoint", Station: "stationcode", Columns: map[string]string{"pm2_5": "pm2_5"}},
		Location: time.FixedZone("CST", 8*3600), Stations: map[string]bool{"1812A": true}}
	rs, _, err := p.Parse(strings.NewReader("timepoint,stationcode,pm2_5,o3\n2022-06-01T01:00:00,1812A ,20,\n2022-06-01T02:00:00,1812a,21,\n2022-06-01T03:00:00,1999A,22,\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Site != "1812A" || rs[1].Site != "1812A" {
		t.Errorf("readings %+v, want two for 1812A", rs)
	}
}

// A backfill opens only the files its range can hold: hour files by their name, day
// files and day folders by their date; a file whose name says nothing is read.
func TestFileSpanSelectsFiles(t *testing.T) {
	span := FileSpan(airquality.Shanghai, false)
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02T15", s, airquality.Shanghai)
		return t
	}
	w := collector.Window{From: at("2026-03-01T00"), To: at("2026-03-02T00"), Backfill: true} // the hours of 1 March
	for _, tc := range []struct {
		name string
		keep bool
	}{
		{"2026-03-01/2026-03-01T00.csv", false}, // the last hour of 28 February
		{"2026-03-01/2026-03-01T01.csv", true},
		{"2026-03-02/2026-03-02T00.csv", true}, // closes 1 March
		{"2026-03-02/2026-03-02T01.csv", false},
		{"2026-02-28/2026-02-28T23.csv", false},
		{"20260301.csv", true},
		{"2026-02-27.csv", false},
		{"2026-03-01/all.csv", true},
		{"2026-02-28/all.csv", true}, // its 00:00 … 24:00 reach the window's first hour
		{"2026-02-26/all.csv", false},
		{"national.csv", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, last, ok := span(tc.name)
			keep := !ok || (last.After(w.From) && !first.After(w.To))
			if keep != tc.keep {
				t.Errorf("%s: kept %v (span %s … %s, dated %v), want %v", tc.name, keep, first, last, ok, tc.keep)
			}
		})
	}
}

// Through the source: a backfill of one day of the live sample opens that day's files
// only (the others are neither read nor remembered as processed).
func TestBackfillOpensOnlyItsRange(t *testing.T) {
	dir := t.TempDir()
	if _, err := cnemcsample.Extract(dir); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := Preset(PresetAuto)
	p := &Parser{Mapping: m, Location: airquality.Shanghai, Stations: map[string]bool{"4214A": true}}
	var opened []string
	src := &filetrack.Source{Files: &filetrack.Tracker{Dir: dir, Ext: ".csv", State: st.SourceState("live"), Dated: FileSpan(airquality.Shanghai, false)},
		Parse: func(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
			opened = append(opened, name)
			return p.ParseGroups(r, name, group, emit)
		}}
	day := time.Date(2026, 7, 1, 0, 0, 0, 0, airquality.Shanghai)
	var hours []time.Time
	err = src.Stream(context.Background(), collector.Window{From: day, To: day.AddDate(0, 0, 1), Backfill: true}, "",
		func(b *reading.Batch, _ string, _, _ int) error {
			for _, r := range b.Readings {
				hours = append(hours, r.End)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 24 || opened[0] != filepath.Join("2026-07-01", "2026-07-01T01.csv") || opened[23] != filepath.Join("2026-07-02", "2026-07-02T00.csv") {
		t.Errorf("opened %d files %v, want the 24 hours of 1 July", len(opened), opened)
	}
	// 4214A 春都路1号院, added to Luoyang's network in 2026, reports every hour of that day.
	if len(hours) != 24 {
		t.Errorf("%d hours of 4214A, want 24", len(hours))
	}
}

// The live feed as it is: the compact time, rows in any order, and per value the markers
// of a missing value ("", "NA", "—") and of a pollutant not monitored ("/"); a bad value
// drops that value only, traced with file, line and column.
func TestParseLiveMarkers(t *testing.T) {
	in := "timepoint,stationcode,area,aqi,pm10,pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h\n" +
		"2026-07-01T1300,1815A,洛阳市,59,NA,26,13,18,167,167,102,102,7,8,/,7,/,0.4\n" +
		"2026-07-01T1200,1812A,洛阳市,50,35,32,28,19,158,158,97,97,11,12,10,8,0.7,0.5\n" +
		"2026-07-01T1300,1816A,洛阳市,NA,,25,—,17,175,,107,107,x1,9,13,10,0.6,0.5\n"
	m, _ := Preset(PresetAuto)
	p := &Parser{Mapping: m, Location: airquality.Shanghai}
	rs, rejects, err := p.Parse(strings.NewReader(in), "2026-07-01T13.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 1 || rejects[0].Detail != `2026-07-01T13.csv:4: column "no2": invalid value "x1": not a decimal number` {
		t.Errorf("rejects %v", rejects)
	}
	got := map[string]string{}
	for _, r := range rs {
		var vs []string
		for _, v := range r.Values {
			if v.NotMonitored() {
				vs = append(vs, v.Code+"=/")
			} else {
				vs = append(vs, v.Code+"="+v.V.String())
			}
		}
		got[r.Site+"@"+r.End.In(airquality.Shanghai).Format("15")] = strings.Join(vs, " ")
	}
	want := map[string]string{
		"1815A@13": "pm2_5=13 so2=/ no2=7 co=/ o3=167",
		"1812A@12": "pm2_5=28 pm10=35 so2=10 no2=11 co=0.7 o3=158",
		"1816A@13": "so2=13 co=0.6 o3=175", // o3 from "o3": o3_24h may be empty in the live feed
	}
	if len(got) != len(want) {
		t.Errorf("readings %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

// The layout is told from the file: the archive's time form takes the 1-h ozone from
// o3_24h; a row whose ozone columns contradict the layout has its ozone refused, with why.
func TestParseLayoutDetected(t *testing.T) {
	m, _ := Preset(PresetAuto)
	m.Columns = map[string]string{} // ozone only
	p := &Parser{Mapping: m, Location: airquality.Shanghai}
	archive := "timepoint,stationcode,o3,o3_24h\n2022-06-01T12:00:00,1812A,126,78\n"
	rs, rejects, err := p.Parse(strings.NewReader(archive), "a.csv")
	if err != nil || len(rejects) != 0 || len(rs) != 1 || rs[0].Values[0].V.String() != "78" {
		t.Errorf("archive: %v %v %+v", err, rejects, rs)
	}
	live := "timepoint,stationcode,o3,o3_24h\n2026-07-01T1200,1812A,158,158\n2026-07-01T1200,1814A,126,78\n"
	rs, rejects, err = p.Parse(strings.NewReader(live), "l.csv")
	if err != nil || len(rs) != 1 || rs[0].Values[0].V.String() != "158" {
		t.Fatalf("live: %v %+v", err, rs)
	}
	want := `l.csv:3: column "o3": value "126" disagrees with column "o3_24h" ("78") in the live layout, where both are the 1-h ozone: set cnemc_csv.preset or columns.o3`
	if len(rejects) != 1 || rejects[0].Detail != want {
		t.Errorf("rejects %v, want %q", rejects, want)
	}
	// A preset decides without looking: the archive layout read from a live-timed file.
	p.Mapping, _ = Preset(PresetArchive)
	p.Mapping.Columns = map[string]string{}
	rs, _, _ = p.Parse(strings.NewReader("timepoint,stationcode,o3,o3_24h\n2026-07-01T1200,1812A,160,150\n"), "x.csv")
	if len(rs) != 1 || rs[0].Values[0].V.String() != "150" {
		t.Errorf("archive preset: %+v", rs)
	}
}

// Every record is bounded before it is materialised: a 20 MB line of commas, or a quote
// left open to the end of a 20 MB file, refuses the file (bad_file: the rows before it
// stand) at the cost of the record buffer, not of the line (docs/operations.md, "Files of
// any size").
func TestHostileRecordsBounded(t *testing.T) {
	head := "timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n2026-07-01T1200,1812A,20,30,5,10,0.5,100\n"
	for name, body := range map[string]string{
		"commas":     strings.Repeat(",", 20<<20) + "\n",
		"open quote": "2026-07-01T1300,1812A,\"" + strings.Repeat("9\n", 10<<20),
	} {
		t.Run(name, func(t *testing.T) {
			m, _ := Preset(PresetAuto)
			p := &Parser{Mapping: m, Location: airquality.Shanghai}
			in := strings.NewReader(head + body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rs, _, err := p.Parse(in, "hostile.csv")
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "record longer than the limit") {
				t.Errorf("error %v, want the record refused", err)
			}
			if len(rs) != 1 {
				t.Errorf("%d readings, want the one before the hostile record", len(rs))
			}
			// The default record limit is 64 KiB; allow the reader's buffers and the
			// parser's first group, far below the 20 MB record.
			if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
				t.Errorf("allocated %d bytes for a 20 MB record", got)
			}
		})
	}
}

// A hostile record refuses its file, not the source: the file is reported once as
// bad_file (the rows before the record stand), remembered like an oversized file, and the
// files after it are read — in this run and the next (the probe had every restart
// read the file again and never reach the ones after it).
func TestHostileRecordRefusesItsFileOnly(t *testing.T) {
	dir := t.TempDir()
	head := "timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n"
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte(head+"2026-07-01T1200,1812A,20,30,5,10,0.5,100\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte(head+"2026-07-01T1300,1812A,21,30,5,10,0.5,100\n"+strings.Repeat(",", 1<<20)+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.csv"), []byte(head+"2026-07-01T1400,1812A,22,30,5,10,0.5,100\n"), 0o644)
	st, err := store.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := Preset(PresetAuto)
	p := &Parser{Mapping: m, Location: airquality.Shanghai}
	tr := &filetrack.Tracker{Dir: dir, Ext: ".csv", State: st.SourceState("drop")}
	src := &filetrack.Source{Files: tr, Parse: p.ParseGroups}
	run := func() (values []string, bad []string, marks []string) {
		err := src.Stream(context.Background(), collector.Window{}, "", func(b *reading.Batch, mark string, _, _ int) error {
			for _, r := range b.Readings {
				values = append(values, r.Values[0].V.String())
			}
			for _, rj := range b.Rejects {
				if rj.Reason == "bad_file" {
					bad = append(bad, rj.Detail)
				}
			}
			if mark != "" {
				marks = append(marks, mark)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		return values, bad, marks
	}
	values, bad, marks := run()
	if strings.Join(values, ",") != "20,21,22" {
		t.Errorf("PM2.5 read %v, want 20 (a.csv), 21 (b.csv before the record), 22 (c.csv)", values)
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "b.csv") || !strings.Contains(bad[0], "line 3") || !strings.Contains(bad[0], "record longer than the limit") {
		t.Errorf("bad_file rejects %q, want one naming b.csv line 3", bad)
	}
	if strings.Join(marks, ",") != "a.csv,b.csv,c.csv" {
		t.Errorf("files marked read %v, want all three", marks)
	}
	values, bad, _ = run()
	if len(values) != 0 || len(bad) != 0 {
		t.Errorf("second run read %v and refused %q again; the refusal is remembered", values, bad)
	}
}
