package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// nationalStack builds a configuration of 2,000 stations in 200 cities and 4,000 sections,
// with `days` days of simulated hourly data and one sample per section.
func nationalStack(b *testing.B, days int) (*Generation, time.Time) {
	var y strings.Builder
	y.WriteString("areas:\n")
	for a := 0; a < 200; a++ {
		fmt.Fprintf(&y, "  - {id: c%03d, name: City %d, kind: city}\n", a, a)
	}
	y.WriteString("air_stations:\n")
	var stations []string
	for s := 0; s < 2000; s++ {
		code := fmt.Sprintf("%04dA", s)
		stations = append(stations, code)
		fmt.Fprintf(&y, "  - {code: %s, name: S%d, area: c%03d}\n", code, s, s%200)
	}
	y.WriteString("water_sections:\n")
	var sections []string
	for s := 0; s < 4000; s++ {
		code := fmt.Sprintf("w%04d", s)
		sections = append(sections, code)
		fmt.Fprintf(&y, "  - {code: %s, name: W%d, water_body: river, level: national, target_class: III, area: c%03d}\n", code, s, s%200)
	}
	dir := b.TempDir()
	p := filepath.Join(dir, "national.yaml")
	os.WriteFile(p, []byte(y.String()+"state_dir: "+filepath.Join(dir, "state")+"\n"), 0o600)
	s, err := Open(p, slog.New(slog.NewTextHandler(io.Discard, nil)), Mode{Sink: Discard, DryRun: true})
	if err != nil {
		b.Fatal(err)
	}
	end := time.Date(2025, 6, 30, 16, 0, 0, 0, time.UTC) // 1 July 00:00 Beijing
	sim := simulate.New(1, stations, nil, 0)
	for d := days; d > 0; d-- {
		rs, _ := sim.Readings(context.Background(), end.Add(-time.Duration(d)*24*time.Hour), end.Add(-time.Duration(d-1)*24*time.Hour))
		if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "sim", Readings: rs}); err != nil {
			b.Fatal(err)
		}
	}
	var ws []reading.Reading
	v, _ := fixed.Parse("0.3")
	for _, sec := range sections {
		ws = append(ws, reading.Reading{Kind: reading.Water, Site: sec, End: end.Add(-240 * time.Hour), Values: []reading.Value{{Code: "nh3n", V: v, Flag: "N"}}})
	}
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "sim", Readings: ws}); err != nil {
		b.Fatal(err)
	}
	return s, end
}

// BenchmarkScrapeNational measures a /metrics scrape (domain exposition) at national
// cardinality with 30 days of data: "unchanged" — nothing changed since the last scrape, so
// the gathered exposition is reused and only encoded; "new_batch" — a batch (one station
// hour) arrived: everything is gathered again, the calculator finds every other area's
// data unchanged; "new_day" — the as-of day moved, so every area is recomputed (once a day
// in production, or after revisions).
func BenchmarkScrapeNational(b *testing.B) {
	s, end := nationalStack(b, 30)
	defer s.Close()
	for _, mode := range []string{"unchanged", "new_batch", "new_day"} {
		b.Run(mode, func(b *testing.B) {
			now := end.Add(30 * time.Minute)
			clock := func() time.Time { return now }
			g, _, err := s.domainGatherer(clock)
			if err != nil {
				b.Fatal(err)
			}
			var size int
			if _, err := g.Gather(); err != nil { // warm the caches
				b.Fatal(err)
			}
			v, _ := fixed.Parse("33")
			hour := 0
			for b.Loop() {
				switch mode {
				case "new_batch":
					hour++ // a revision of an hour of the last day, a new value each time
					r := reading.Reading{Kind: reading.Air, Site: "0000A", End: end.Add(-time.Duration(hour%24) * time.Hour),
						Values: []reading.Value{{Code: "pm2_5", V: v + fixed.Dec(hour), Flag: "N"}}}
					if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "sim", Readings: []reading.Reading{r}}); err != nil {
						b.Fatal(err)
					}
				case "new_day":
					now = now.Add(24 * time.Hour)
				}
				mfs, err := g.Gather()
				if err != nil {
					b.Fatal(err)
				}
				var buf bytes.Buffer
				for _, mf := range mfs {
					expfmt.MetricFamilyToText(&buf, mf)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size), "bytes/scrape")
		})
	}
}
