package pipeline

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/store"
	"github.com/envwatch/envwatch/waterquality"
)

// A field file (DO, pH) and a lab file (NH3-N, TP) for one section and sampling time make
// one sample — in separate deliveries, in one merged backfill batch, and after a restart;
// an item sent again is a revision that replaces its value and is counted.
func TestWaterSamplesMergeItemByItem(t *testing.T) {
	when := time.Date(2025, 3, 5, 2, 0, 0, 0, time.UTC) // 10:00 Beijing
	field := reading.Reading{Kind: reading.Water, Site: "W1", End: when,
		Values: []reading.Value{{Code: "do", V: d("4"), Flag: "N"}, {Code: "ph", V: d("7.6"), Flag: "N"}}}
	lab := reading.Reading{Kind: reading.Water, Site: "W1", End: when,
		Values: []reading.Value{{Code: "nh3n", V: d("0.3"), Flag: "N"}, {Code: "tp", V: d("0.05"), Flag: "N"}}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	check := func(name string, p *Pipeline, wantDO string) {
		t.Helper()
		ws := p.WaterSamples("W1", when.Add(-time.Hour), when.Add(time.Hour))
		if len(ws) != 1 {
			t.Fatalf("%s: %d samples, want 1", name, len(ws))
		}
		got := map[waterquality.Item]string{}
		for _, it := range []waterquality.Item{waterquality.DO, waterquality.PH, waterquality.NH3N, waterquality.TP} {
			if v, ok := ws[0].Get(it); ok {
				got[it] = v.String()
			}
		}
		if got[waterquality.DO] != wantDO || got[waterquality.PH] != "7.6" || got[waterquality.NH3N] != "0.3" || got[waterquality.TP] != "0.05" {
			t.Errorf("%s: merged sample %v, want DO %s, pH 7.6, NH3-N 0.3, TP 0.05", name, got, wantDO)
		}
		// DO 4.0 is Class IV (GB 3838 Table 1: III ≥ 5, IV ≥ 3): the section is not compliant.
		if wantDO == "4" {
			if e := waterquality.Evaluate(&ws[0], waterquality.River, waterquality.Rules{}); e.Class != waterquality.ClassIV {
				t.Errorf("%s: class %v, want IV from DO 4", name, e.Class)
			}
		}
	}
	dir := t.TempDir()
	st, err := store.Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	build := func(reg prometheus.Registerer) *Pipeline {
		p := New([]Site{{Kind: reading.Water, Code: "W1", Area: "x"}}, airquality.NewNetwork(airquality.CityOptions{}), nil, reg, quiet)
		if err := p.UseState(st, 0); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := build(nil)
	for _, r := range []reading.Reading{field, lab} {
		if _, err := p.Handle(context.Background(), &reading.Batch{Source: "files", Readings: []reading.Reading{r}}); err != nil {
			t.Fatal(err)
		}
	}
	check("separate deliveries", p, "4")
	check("after a restart", build(nil), "4")

	// One backfill batch holding both files (two parts).
	p2 := New([]Site{{Kind: reading.Water, Code: "W1", Area: "x"}}, airquality.NewNetwork(airquality.CityOptions{}), nil, nil, quiet)
	if n, err := p2.Handle(context.Background(), &reading.Batch{Source: "files", Readings: []reading.Reading{field, lab}, Parts: []int{0, 1}}); err != nil || n != 2 {
		t.Fatalf("merged batch: %d accepted, %v", n, err)
	}
	check("one merged batch", p2, "4")

	// A revised DO replaces the value and is counted; the lab items stay.
	reg := prometheus.NewRegistry()
	p3 := build(reg)
	revised := reading.Reading{Kind: reading.Water, Site: "W1", End: when, Values: []reading.Value{{Code: "do", V: d("5.5"), Flag: "N"}}}
	if _, err := p3.Handle(context.Background(), &reading.Batch{Source: "files", Readings: []reading.Reading{revised}}); err != nil {
		t.Fatal(err)
	}
	check("revision", p3, "5.5")
	if got := testutil.ToFloat64(p3.revised.WithLabelValues("files")); got != 1 {
		t.Errorf("revised items %v, want 1", got)
	}
}
