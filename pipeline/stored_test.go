package pipeline

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/internal/testenv"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
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
	body, err := influxd.Query(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Results []struct {
			Series []struct{ Values [][]any }
		}
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Results) == 0 || len(res.Results[0].Series) == 0 {
		return nil
	}
	return res.Results[0].Series[0].Values
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
