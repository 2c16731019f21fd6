package pipeline

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/waterquality"
)

// hourLines returns the air_hourly lines a sink received, and forgets them.
func hourLines(s *memSink) []string {
	var out []string
	for _, l := range strings.Split(s.lines.String(), "\n") {
		if strings.HasPrefix(l, "air_hourly,") {
			out = append(out, l)
		}
	}
	s.lines.Reset()
	return out
}

// A station hour's point carries its real-time AQI and primary pollutant; its flags field
// is left out only on the first write of the hour (nothing to clear), and written on every
// rewrite — also after a restart, and for an hour whose values were all flagged, which
// leaves nothing in the engines.
func TestHourPointAQIAndFlags(t *testing.T) {
	st := openState(t)
	quiet := quietLogger()
	build := func() (*Pipeline, *memSink) {
		sink := &memSink{}
		p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, airquality.NewNetwork(airquality.CityOptions{}), sink, nil, quiet)
		p.now = func() time.Time { return time.Date(2022, 6, 3, 0, 0, 0, 0, time.UTC) }
		p.SetDerived(Derived{})
		if err := p.UseState(st, 0); err != nil {
			t.Fatal(err)
		}
		return p, sink
	}
	end := time.Date(2022, 5, 31, 17, 0, 0, 0, time.UTC) // 2022-06-01 01:00 Beijing
	hour := func(end time.Time, pm25Flag, otherFlag string) *reading.Batch {
		vals := []reading.Value{{Code: "pm2_5", V: d("80"), Flag: pm25Flag}, {Code: "pm10", V: d("50"), Flag: otherFlag},
			{Code: "so2", V: d("10"), Flag: otherFlag}, {Code: "no2", V: d("20"), Flag: otherFlag},
			{Code: "co", V: d("0.5"), Flag: otherFlag}, {Code: "o3", V: d("100"), Flag: otherFlag}}
		return &reading.Batch{Source: "s", Readings: []reading.Reading{{Kind: reading.Air, Site: "A", End: end, Values: vals}}}
	}
	ts := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	const head = "air_hourly,station=A,area=x pm2_5=80,pm10=50,so2=10,no2=20,co=0.5,o3=100"
	// flags spells each value's flag field, written on a rewrite (and for a flag other
	// than N on a first write).
	flags := func(pm25, other string) string {
		return fmt.Sprintf(`,pm2_5_flag="%s",pm10_flag="%[2]s",so2_flag="%[2]s",no2_flag="%[2]s",co_flag="%[2]s",o3_flag="%[2]s",`, pm25, other)
	}
	// HJ 633 real-time AQI: PM2.5 1-h 80 on the 24-h breakpoints (75→100, 115→150) is
	// IAQI 106.25 → 107, above PM10 50, SO2 4, NO2 10, CO 5, O3 1-h 32: AQI 107, PM2.5.
	aqi := `aqi=107,aqi_primary="pm2_5"`
	// Without PM2.5 (flagged M, so not in the statistics) the hour's AQI is not determinable.
	na := `aqi=-1,aqi_primary=""`
	p, sink := build()
	steps := []struct {
		name string
		b    *reading.Batch
		want string
	}{
		{"first write", hour(end, "N", "N"), head + "," + aqi + " " + ts(end)},
		{"revised to M", hour(end, "M", "N"), head + flags("M", "N") + na + " " + ts(end)},
		{"revised back to N", hour(end, "N", "N"), head + flags("N", "N") + aqi + " " + ts(end)},
		{"a new hour, all flagged", hour(end.Add(28*time.Hour), "M", "M"),
			head + flags("M", "M") + na + " " + ts(end.Add(28*time.Hour))},
	}
	for _, s := range steps {
		if _, err := p.Handle(context.Background(), s.b); err != nil {
			t.Fatal(err)
		}
		if got := hourLines(sink); len(got) != 1 || got[0] != s.want {
			t.Errorf("%s: got %q\nwant %q", s.name, got, s.want)
		}
	}
	// After a restart, both hours are rewrites: every flag field is written, so the
	// all-flagged hour revised to N loses its flags in InfluxDB too.
	p, sink = build()
	later := end.Add(28 * time.Hour)
	for _, s := range []struct {
		name string
		b    *reading.Batch
		want string
	}{
		{"restart, revision", hour(end, "N", "N"), head + flags("N", "N") + aqi + " " + ts(end)},
		{"restart, flagged hour revised", hour(later, "N", "N"), head + flags("N", "N") + aqi + " " + ts(later)},
		{"restart, a new hour", hour(later.Add(time.Hour), "N", "N"), head + "," + aqi + " " + ts(later.Add(time.Hour))},
	} {
		t.Run(s.name, func(t *testing.T) {
			if _, err := p.Handle(context.Background(), s.b); err != nil {
				t.Fatal(err)
			}
			if got := hourLines(sink); len(got) != 1 || got[0] != s.want {
				t.Errorf("%s: got %q\nwant %q", s.name, got, s.want)
			}
		})
	}
}

// docs/storage.md names every measurement and field the pipeline writes: a day of an air
// station (every pollutant, one flagged, one not monitored), an instantaneous HJ 212 value,
// a water sample, with the derived series on.
func TestStorageDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/storage.md")
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}, {Kind: reading.Water, Code: "W", Area: "x", Body: waterquality.River, Target: waterquality.ClassIII}},
		airquality.NewNetwork(airquality.CityOptions{}), sink, nil, quietLogger())
	if err := p.air.SetArea("x", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { return time.Date(2022, 7, 3, 0, 0, 0, 0, time.UTC) }
	p.SetDerived(Derived{})
	var rs []reading.Reading
	for h := 1; h <= 24; h++ {
		vals := []reading.Value{{Code: "pm2_5", V: d("30"), Flag: "N"}, {Code: "pm10", V: d("50"), Flag: "N"}, {Code: "so2", V: d("5"), Flag: "M"},
			{Code: "no2", V: d("20"), Flag: "N"}, {Code: "co", Flag: reading.FlagNotMonitored}, {Code: "o3", V: d("100"), Flag: "N"}}
		rs = append(rs, reading.Reading{Kind: reading.Air, Site: "A", End: airquality.DayFromDate(2022, 6, 30).HourEnd(h - 1), Values: vals})
	}
	rs = append(rs, reading.Reading{Kind: reading.Air, Period: reading.Instant, Site: "A", End: time.Date(2022, 7, 1, 1, 30, 0, 0, time.UTC),
		Values: []reading.Value{{Code: "pm2_5", V: d("31"), Flag: "N"}}},
		reading.Reading{Kind: reading.Water, Site: "W", End: time.Date(2022, 6, 15, 2, 0, 0, 0, time.UTC),
			Values: []reading.Value{{Code: "nh3n", V: d("2.3"), Flag: "N"}, {Code: "tp", V: d("0.02"), Flag: "L"}}})
	if _, err := p.Handle(context.Background(), &reading.Batch{Source: "s", Readings: rs}); err != nil {
		t.Fatal(err)
	}
	written := map[string]map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(sink.lines.String()), "\n") {
		head, rest, _ := strings.Cut(line, " ")
		meas, tags, _ := strings.Cut(head, ",")
		fields, _, _ := strings.Cut(rest, " ")
		if written[meas] == nil {
			written[meas] = map[string]bool{}
		}
		for _, kv := range strings.Split(tags, ",") {
			k, _, _ := strings.Cut(kv, "=")
			written[meas][k] = true
		}
		for _, kv := range strings.Split(fields, ",") {
			k, _, _ := strings.Cut(kv, "=")
			written[meas][k] = true
		}
	}
	for _, m := range []string{"air_hourly", "air_realtime", "water_sample", "air_daily", "air_monthly", "water_period"} {
		if written[m] == nil {
			t.Errorf("nothing written to %s", m)
		}
	}
	for m, keys := range written {
		_, section, ok := strings.Cut(string(doc), "`"+m+"`")
		if !ok {
			t.Errorf("docs/storage.md does not name the measurement %s", m)
			continue
		}
		if next := strings.Index(section, "\n## "); next >= 0 {
			section = section[:next]
		}
		for k := range keys {
			if code, ok := strings.CutSuffix(k, "_flag"); ok && strings.Contains(section, "`<code>_flag`") && strings.Contains(section, "`"+code+"`") {
				continue // a value's flag field: documented with its value
			}
			if !strings.Contains(section, "`"+k+"`") {
				t.Errorf("docs/storage.md, %s: the field or tag %s is not described", m, k)
			}
		}
	}
}
