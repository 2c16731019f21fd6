package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/internal/testenv"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
)

var shared testenv.Lazy

func TestMain(m *testing.M) { testenv.Main(m, &shared) }

// storedPipeline is a pipeline writing to a fresh database of the shared influxd.
func storedPipeline(t *testing.T, db string) (*Pipeline, *testenv.Influxd, *influx.Reader) {
	t.Helper()
	influxd := shared.Get(t)
	ctx := context.Background()
	if err := influxd.CreateDatabase(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	w := influx.New(influx.Options{URL: influxd.URL, Bucket: db}, prometheus.NewRegistry())
	t.Cleanup(w.Close)
	p := New([]Site{{Kind: reading.Air, Code: "1812A", Area: "xigong"}}, airquality.NewNetwork(airquality.CityOptions{}), w,
		prometheus.NewRegistry(), quietLogger())
	p.now = func() time.Time { return time.Date(2022, 6, 3, 0, 0, 0, 0, time.UTC) }
	return p, influxd, &influx.Reader{URL: influxd.URL, Database: db, Client: http.DefaultClient}
}

func queryValues(t *testing.T, influxd *testenv.Influxd, db, q string) [][]any {
	t.Helper()
	v, err := influxd.Values(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Re-sending one pollutant of an hour leaves the other pollutants' flags as the engine
// has them: the probe rewrote the point's flags from the re-sent pollutant alone,
// and a day the service called "missing pm2_5" became valid after a rebuild.
func TestStoredFlagsFollowTheMergedHour(t *testing.T) {
	p, _, rd := storedPipeline(t, "t_flags")
	ctx := context.Background()
	end := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	first := &reading.Batch{Source: "hj212", Readings: []reading.Reading{{Kind: reading.Air, Period: reading.Hour, Site: "1812A", End: end,
		Values: []reading.Value{{Code: "pm2_5", V: d("52"), Flag: "M"}, {Code: "pm10", V: d("60"), Flag: "N"}, {Code: "o3", V: d("80"), Flag: "N"}}}}}
	again := &reading.Batch{Source: "hj212", Readings: []reading.Reading{{Kind: reading.Air, Period: reading.Hour, Site: "1812A", End: end,
		Values: []reading.Value{{Code: "o3", V: d("81"), Flag: "N"}}}}}
	for _, b := range []*reading.Batch{first, again} {
		if _, err := p.Handle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	bySource, err := rd.Readings(ctx, influx.MeasurementAirHourly, end.Add(-time.Hour), end)
	if err != nil || len(bySource) != 1 || len(bySource[""]) != 1 {
		t.Fatalf("read back %v, %v; want one point", bySource, err)
	}
	got := map[string]string{}
	for _, v := range bySource[""][0].Values {
		got[v.Code] = v.V.String() + "/" + v.Flag
	}
	if got["pm2_5"] != "52/M" || got["pm10"] != "60/N" || got["o3"] != "81/N" {
		t.Errorf("stored hour %v, want pm2_5 52/M, pm10 60/N, o3 81/N (the merged hour)", got)
	}
	// Replayed, as `rebuild` does, the hour is what the engine had: PM2.5 invalid.
	q, _, _ := storedPipeline(t, "t_flags_rebuilt")
	if _, err := q.Handle(ctx, &reading.Batch{Source: "rebuild", Readings: bySource[""]}); err != nil {
		t.Fatal(err)
	}
	day, slot, _ := airquality.HourSlot(end)
	for name, pl := range map[string]*Pipeline{"live": p, "rebuilt": q} {
		sd, _ := pl.air.Series(0).Day(day)
		if sd == nil {
			t.Fatalf("%s: no day", name)
		}
		if _, ok := sd.Hour(airquality.PM25, slot); ok {
			t.Errorf("%s engine: PM2.5 of the hour valid, want invalid (flag M)", name)
		}
		if v, ok := sd.Hour(airquality.O3, slot); !ok || v.String() != "81" {
			t.Errorf("%s engine: O3 %v %v, want 81", name, v, ok)
		}
	}
}

// Two sources for the same station hours make one series: the stored hour is the
// engine's (the last value applied), live and replayed. The probe found 48 points
// for 24 station hours and a mean of 50 where the engine had 60.
func TestOneSeriesPerStationHourAcrossSources(t *testing.T) {
	p, influxd, rd := storedPipeline(t, "t_sources")
	ctx := context.Background()
	day := time.Date(2022, 6, 1, 0, 0, 0, 0, airquality.Shanghai)
	batch := func(source, value string) *reading.Batch {
		b := &reading.Batch{Source: source}
		for h := 1; h <= 24; h++ {
			b.Readings = append(b.Readings, reading.Reading{Kind: reading.Air, Period: reading.Hour, Site: "1812A",
				End: day.Add(time.Duration(h) * time.Hour).UTC(), Values: []reading.Value{{Code: "pm2_5", V: d(value), Flag: "N"}}})
		}
		return b
	}
	for _, b := range []*reading.Batch{batch("cnemc", "40"), batch("hj212", "60")} {
		if _, err := p.Handle(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	rows := queryValues(t, influxd, "t_sources", `SELECT count(pm2_5), mean(pm2_5) FROM air_hourly`)
	if len(rows) != 1 || rows[0][1] != 24.0 || rows[0][2] != 60.0 {
		t.Errorf("stored count and mean %v, want 24 points of 60 (the engine's hours)", rows)
	}
	if series := queryValues(t, influxd, "t_sources", `SHOW SERIES FROM air_hourly`); len(series) != 1 {
		t.Errorf("series %v, want one for the station", series)
	}
	bySource, err := rd.Readings(ctx, influx.MeasurementAirHourly, day.UTC(), day.AddDate(0, 0, 1).UTC())
	if err != nil || len(bySource) != 1 || len(bySource[""]) != 24 {
		t.Fatalf("read back %d groups, %v; want the 24 hours once", len(bySource), err)
	}
	for _, r := range bySource[""] {
		if r.Values[0].V.String() != "60" {
			t.Fatalf("read back %s at %v, want 60", r.Values[0].V, r.End)
		}
	}
	dv, _ := p.air.Series(0).Day(airquality.DayOf(day))
	if dv == nil {
		t.Fatal("no engine day")
	}
	if v, ok := dv.Hour(airquality.PM25, 0); !ok || v.String() != "60" {
		t.Errorf("engine hour %v, want 60", v)
	}
}

// dayFiles streams hours of station A as one "file" per 6 hours, named by their start.
type dayFiles struct {
	start time.Time
	files int
}

func (f dayFiles) Fetch(context.Context, collector.Window) (*reading.Batch, error) {
	return nil, errors.New("streamed only")
}

func (f dayFiles) Stream(ctx context.Context, _ collector.Window, after string, emit func(*reading.Batch, string, int, int) error) error {
	for i := range f.files {
		from := f.start.Add(time.Duration(6*i) * time.Hour)
		name := from.Format("2006-01-02T15")
		if name <= after {
			continue
		}
		if err := emit(&reading.Batch{Readings: hours("A", from, 6)}, name, i, f.files); err != nil {
			return err
		}
	}
	return nil
}

// dying is a stager whose process dies right after its first checkpoint has been saved:
// nothing it would do afterwards happens (kill -9) — no delivery, no checkpoint, no
// Finish, so no later resume mark is saved either.
type dying struct {
	*Bulk
	dead atomic.Bool
}

var errKilled = errors.New("killed")

func (d *dying) Stage(b *reading.Batch) (func(context.Context) error, int, bool) {
	deliver, n, revises := d.Bulk.Stage(b)
	return func(ctx context.Context) error {
		if d.dead.Load() {
			return errKilled
		}
		return deliver(ctx)
	}, n, revises
}

func (d *dying) Checkpoint(ctx context.Context) error {
	if d.dead.Load() {
		return errKilled
	}
	err := d.Bulk.Checkpoint(ctx)
	d.dead.Store(true) // after the stream saves this checkpoint's mark, nothing more
	return err
}

func (d *dying) Finish() func(context.Context) error {
	return func(context.Context) error { return nil }
}

// A backfill killed after a checkpoint saved its resume mark, and run again, leaves every
// station-day with its air_daily point: the checkpoint wrote the days it held back, which
// the resumed run does not read again (the probe lost such a day for good, and the
// re-run exited 0).
func TestKilledBackfillKeepsHeldDays(t *testing.T) {
	influxd := shared.Get(t)
	ctx := context.Background()
	if err := influxd.CreateDatabase(ctx, "t_killed", ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC) // 2022-06-01 00:00 Beijing
	w := collector.Window{From: start, To: start.AddDate(0, 0, 5)}
	marks := map[string][]byte{}
	run := func(kill bool) {
		st, err := store.Open(dir, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		sink := influx.New(influx.Options{URL: influxd.URL, Bucket: "t_killed"}, prometheus.NewRegistry())
		defer sink.Close()
		net := airquality.NewNetwork(airquality.CityOptions{})
		p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, net, sink, prometheus.NewRegistry(), quietLogger())
		net.SetArea("x", []string{"A"})
		p.SetDerived(Derived{})
		p.now = func() time.Time { return start.AddDate(0, 1, 0) }
		if err := p.UseState(st, 0); err != nil {
			t.Fatal(err)
		}
		var stager collector.Stager = p.Bulk()
		if kill {
			stager = &dying{Bulk: p.Bulk()}
		}
		job := &collector.Job{Name: "files", Source: dayFiles{start: start, files: 20}, Handler: struct {
			collector.Handler
			collector.Stager
		}{p, stager}, StreamBatch: 6, CheckpointEvery: 40, Metrics: collector.NewMetrics(nil), Logger: quietLogger()}
		_, err = job.Backfill(ctx, w, memKV(marks), nil)
		if !kill && err != nil {
			t.Fatal(err)
		}
	}
	run(true)
	if len(marks) == 0 {
		t.Fatal("the killed run saved no resume mark: it died before its checkpoint")
	}
	killedAt := string(marks[collector.BackfillKey(w)])
	heldBack := queryValues(t, influxd, "t_killed", `SELECT count(pm2_5) FROM air_daily WHERE scope = 'station'`)
	run(false)
	t.Logf("killed after a checkpoint at %s with %v station days written", killedAt, heldBack)
	rows := queryValues(t, influxd, "t_killed", `SELECT count(pm2_5) FROM air_daily WHERE scope = 'station'`)
	if len(rows) != 1 || rows[0][1] != 5.0 {
		t.Errorf("station air_daily points %v, want 5 (1–5 June)", rows)
	}
}

type memKV map[string][]byte

func (m memKV) Get(k string) ([]byte, error) { return m[k], nil }
func (m memKV) Put(k string, v []byte) error { m[k] = v; return nil }

// oneFile streams one file's rows in groups of 10,000, as filetrack does: each group is a
// part of the stream's batch, and only the last carries the file's mark.
type oneFile struct{ rows []reading.Reading }

func (f oneFile) Fetch(context.Context, collector.Window) (*reading.Batch, error) {
	return nil, errors.New("streamed only")
}

func (f oneFile) Stream(ctx context.Context, _ collector.Window, after string, emit func(*reading.Batch, string, int, int) error) error {
	for i := 0; i < len(f.rows); i += 10000 {
		mark := ""
		if i+10000 >= len(f.rows) {
			mark = "f.csv"
		}
		if err := emit(&reading.Batch{Readings: f.rows[i:min(i+10000, len(f.rows))]}, mark, 0, 1); err != nil {
			return err
		}
	}
	return nil
}

// Two rows of a file for the same station and hour resolve by one rule whatever their
// distance — the later updates the values it carries: adjacent rows and rows 20,000
// apart (in different groups of the file) give the same answer. The probe kept
// the first of adjacent rows and the last of distant ones.
func TestDuplicateRowsOneRule(t *testing.T) {
	p, influxd, _ := storedPipeline(t, "t_dups")
	var sites []Site
	for i := range 1000 {
		sites = append(sites, Site{Kind: reading.Air, Code: fmt.Sprintf("S%03d", i), Area: "x"})
	}
	p = New(append(sites, Site{Kind: reading.Air, Code: "1812A", Area: "xigong"}), airquality.NewNetwork(airquality.CityOptions{}), p.sink,
		prometheus.NewRegistry(), quietLogger())
	p.now = func() time.Time { return time.Date(2022, 6, 3, 0, 0, 0, 0, time.UTC) }
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC)
	row := func(site string, h int, v string) reading.Reading {
		return reading.Reading{Kind: reading.Air, Period: reading.Hour, Site: site, End: start.Add(time.Duration(h) * time.Hour),
			Values: []reading.Value{{Code: "pm2_5", V: d(v), Flag: "N"}}}
	}
	rows := []reading.Reading{row("1812A", 1, "30"), row("1812A", 1, "40"), row("1812A", 2, "50")}
	for i := 0; len(rows) < 20002; i++ { // other stations' hours between
		rows = append(rows, row(fmt.Sprintf("S%03d", i%1000), 1+i/1000, "10"))
	}
	rows = append(rows, row("1812A", 2, "60"))
	job := &collector.Job{Name: "file", Source: oneFile{rows}, Handler: p, Metrics: collector.NewMetrics(nil), Logger: quietLogger()}
	if _, err := job.Backfill(context.Background(), collector.Window{From: start, To: start.AddDate(0, 0, 1)}, memKV{}, nil); err != nil {
		t.Fatal(err)
	}
	got := queryValues(t, influxd, "t_dups", `SELECT pm2_5 FROM air_hourly WHERE station = '1812A'`)
	if len(got) != 2 || got[0][1] != 40.0 || got[1][1] != 60.0 {
		t.Errorf("stored %v, want hour 1 = 40 (adjacent rows) and hour 2 = 60 (rows 20,000 apart): the later row both times", got)
	}
}
