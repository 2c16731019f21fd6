package pipeline

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
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
	const head = "air_hourly,station=A,area=x,source=s pm2_5=80,pm10=50,so2=10,no2=20,co=0.5,o3=100"
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
		{"revised to M", hour(end, "M", "N"), head + `,flags="pm2_5:M",` + na + " " + ts(end)},
		{"revised back to N", hour(end, "N", "N"), head + `,flags="",` + aqi + " " + ts(end)},
		{"a new hour, all flagged", hour(end.Add(28*time.Hour), "M", "M"),
			head + `,flags="pm2_5:M;pm10:M;so2:M;no2:M;co:M;o3:M",` + na + " " + ts(end.Add(28*time.Hour))},
	}
	for _, s := range steps {
		if _, err := p.Handle(context.Background(), s.b); err != nil {
			t.Fatal(err)
		}
		if got := hourLines(sink); len(got) != 1 || got[0] != s.want {
			t.Errorf("%s: got %q\nwant %q", s.name, got, s.want)
		}
	}
	// After a restart, both hours are rewrites: the flags field is written, so the
	// all-flagged hour revised to N loses its flags in InfluxDB too.
	p, sink = build()
	later := end.Add(28 * time.Hour)
	for _, s := range []struct {
		name string
		b    *reading.Batch
		want string
	}{
		{"restart, revision", hour(end, "N", "N"), head + `,flags="",` + aqi + " " + ts(end)},
		{"restart, flagged hour revised", hour(later, "N", "N"), head + `,flags="",` + aqi + " " + ts(later)},
		{"restart, a new hour", hour(later.Add(time.Hour), "N", "N"), head + "," + aqi + " " + ts(later.Add(time.Hour))},
	} {
		if _, err := p.Handle(context.Background(), s.b); err != nil {
			t.Fatal(err)
		}
		if got := hourLines(sink); len(got) != 1 || got[0] != s.want {
			t.Errorf("%s: got %q\nwant %q", s.name, got, s.want)
		}
	}
}
