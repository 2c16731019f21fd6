package pipeline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/store"
)

func hours(site string, start time.Time, n int) []reading.Reading {
	var rs []reading.Reading
	for h := 1; h <= n; h++ {
		rs = append(rs, reading.Reading{Kind: reading.Air, Site: site, End: start.Add(time.Duration(h) * time.Hour),
			Values: []reading.Value{{Code: "pm2_5", V: d(strconv.Itoa(20 + h)), Flag: "N"}}})
	}
	return rs
}

func countDays(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.LoadAir(func(store.AirDay) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// The staged path writes points at delivery but persists engine state only at a
// checkpoint — and at once, with the spool entry, when a write fails.
func TestBulkCheckpointAndSpool(t *testing.T) {
	st := openState(t)
	sink := &memSink{}
	quiet := quietLogger()
	p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, airquality.NewNetwork(airquality.CityOptions{}), sink, nil, quiet)
	if err := p.UseState(st, 0); err != nil {
		t.Fatal(err)
	}
	bk := p.Bulk()
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC) // 2022-06-01 00:00 Beijing
	deliver, n, revises := bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start, 48)})
	if n != 48 || revises {
		t.Fatalf("accepted %d (revises %v), want 48 new hours", n, revises)
	}
	if err := deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.lines.Len(); got == 0 {
		t.Fatal("nothing written at delivery")
	}
	if got := countDays(t, st); got != 0 {
		t.Fatalf("%d station-days persisted before the checkpoint", got)
	}
	if err := bk.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := countDays(t, st); got != 2 {
		t.Fatalf("%d station-days persisted after the checkpoint, want 2", got)
	}

	// A failed write: the batch goes to the spool with the engine state of the third day.
	sink.err = errors.New("connection refused")
	deliver, _, revises = bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start.Add(48*time.Hour), 24)})
	if revises {
		t.Error("hours after all earlier ones marked as revising")
	}
	if err := deliver(context.Background()); err != nil {
		t.Fatalf("a spooled delivery failed: %v", err)
	}
	if s, _ := st.SpoolStats(); s.Points != 24 {
		t.Errorf("spooled %d points, want 24", s.Points)
	}
	if got := countDays(t, st); got != 3 {
		t.Errorf("%d station-days persisted with the spool entry, want 3", got)
	}
	// While the spool holds data, later deliveries queue behind it (order of revisions).
	sink.err = nil
	deliver, _, revises = bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start.Add(72*time.Hour), 1)})
	if revises {
		t.Error("a new hour marked as revising")
	}
	before := sink.lines.Len()
	if err := deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sink.lines.Len() != before {
		t.Error("a delivery overtook the spool")
	}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.SpoolStats(); s.Points != 0 {
		t.Errorf("%d points left in the spool after drain", s.Points)
	}
	// An hour of the first day again (a revision): its delivery must wait for earlier ones.
	if _, _, revises = bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start, 1)}); !revises {
		t.Error("a rewritten hour not marked as revising")
	}
}

// In a batch merged from several files, a repeat within one file is a duplicate (the first
// stands), while a repeat in a later file is a revision: it replaces the earlier reading in
// the engines and is the only one written.
func TestMergedBatchRevisionSupersedes(t *testing.T) {
	reg := prometheus.NewRegistry()
	sink := &memSink{}
	net := airquality.NewNetwork(airquality.CityOptions{})
	p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, net, sink, reg, quietLogger())
	end := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	pm := func(v string) []reading.Value { return []reading.Value{{Code: "pm2_5", V: d(v), Flag: "N"}} }
	b := &reading.Batch{Source: "s", Parts: []int{0, 3}, Readings: []reading.Reading{
		{Kind: reading.Air, Site: "A", End: end, Values: pm("21")},
		{Kind: reading.Air, Site: "A", End: end, Values: pm("22")}, // same file: duplicate
		{Kind: reading.Air, Site: "A", End: end.Add(time.Hour), Values: pm("40")},
		{Kind: reading.Air, Site: "A", End: end, Values: pm("30")}, // revised file
	}}
	n, err := p.Handle(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("accepted %d, want 3 (the original, its revision and the next hour)", n)
	}
	if got := testutil.ToFloat64(p.rejected.WithLabelValues("s", ReasonDuplicate)); got != 1 {
		t.Errorf("duplicates %v, want 1", got)
	}
	lines := sink.lines.String()
	if strings.Count(lines, "\n") != 2 || !strings.Contains(lines, "pm2_5=30,") || strings.Contains(lines, "pm2_5=21,") {
		t.Errorf("written:\n%s\nwant the revision (30) and the next hour only", lines)
	}
	if l := p.Snapshot().Latest["A"]; l.Values[airquality.PM25].C != d("40") {
		t.Errorf("latest %v", l.Values[airquality.PM25].C)
	}
	day, slot, _ := airquality.HourSlot(end)
	sd, _ := net.Series(0).Day(day)
	if v, ok := sd.Hour(airquality.PM25, slot); !ok || v != d("30") {
		t.Errorf("engine hour %v %v, want the revised 30", v, ok)
	}
}

// A backfill writes a day's derived points once, when the walk has passed the day (or at
// Finish), not with every group that touches it, and an area's month once the walk has
// passed the month; the batch that releases them reports revises, so that its delivery
// waits for the earlier ones.
func TestBulkHoldsDerivedDaysUntilPassed(t *testing.T) {
	st := openState(t)
	sink := &memSink{}
	net := airquality.NewNetwork(airquality.CityOptions{})
	p := New([]Site{{Kind: reading.Air, Code: "A", Area: "x"}}, net, sink, nil, quietLogger())
	net.SetArea("x", []string{"A"})
	p.SetDerived(Derived{})
	if err := p.UseState(st, 0); err != nil {
		t.Fatal(err)
	}
	bk := p.Bulk()
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC) // 2022-06-01 00:00 Beijing
	all := hours("A", start, 48)                           // PM2.5 21 … 68: 1 June 21 … 44, 2 June 45 … 68
	daily := func() []string {
		var out []string
		for _, l := range strings.Split(sink.lines.String(), "\n") {
			if strings.HasPrefix(l, "air_daily,") || strings.HasPrefix(l, "air_monthly,") {
				series, rest, _ := strings.Cut(l, " ")
				_, pm, _ := strings.Cut(rest, "pm2_5=")
				pm, _, _ = strings.Cut(pm, ",")
				out = append(out, series+" pm2_5="+pm+" "+l[strings.LastIndexByte(l, ' ')+1:])
			}
		}
		sink.lines.Reset()
		return out
	}
	june1, june2 := strconv.FormatInt(start.Unix(), 10), strconv.FormatInt(start.Add(24*time.Hour).Unix(), 10)
	for _, s := range []struct {
		name        string
		b           *reading.Batch
		finish      bool
		wantRevises bool
		want        []string
	}{
		{"1 June, 20 hours", &reading.Batch{Source: "s", Readings: all[:20]}, false, false, nil},
		// The mean of 21 … 44 is 32.5, published as 32 (GB/T 8170: round half to even).
		{"rest of 1 June and 10 hours of 2 June", &reading.Batch{Source: "s", Readings: all[20:34]}, false, true,
			[]string{"air_daily,scope=station,station=A,area=x pm2_5=32 " + june1, "air_daily,scope=area,area=x pm2_5=32 " + june1}},
		{"rest of 2 June", &reading.Batch{Source: "s", Readings: all[34:]}, false, false, nil},
		// 45 … 68: 56.5 → 56; June, still held, goes at the end: 2 valid days of 30 are too
		// few for a monthly mean.
		{"finish", nil, true, false, []string{"air_daily,scope=station,station=A,area=x pm2_5=56 " + june2,
			"air_daily,scope=area,area=x pm2_5=56 " + june2, "air_monthly,area=x pm2_5=-1 " + june1}},
	} {
		t.Run(s.name, func(t *testing.T) {
			var deliver func(context.Context) error
			revises := false
			if s.finish {
				deliver = bk.Finish()
			} else {
				deliver, _, revises = bk.Stage(s.b)
			}
			if err := deliver(context.Background()); err != nil {
				t.Fatal(err)
			}
			if revises != s.wantRevises {
				t.Errorf("%s: revises %v, want %v", s.name, revises, s.wantRevises)
			}
			if got := daily(); strings.Join(got, "\n") != strings.Join(s.want, "\n") {
				t.Errorf("%s: derived points\n%s\nwant\n%s", s.name, strings.Join(got, "\n"), strings.Join(s.want, "\n"))
			}
		})
	}
}
