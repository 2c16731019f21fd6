package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

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
	st, err := store.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sink := &memSink{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := New([]Site{{reading.Air, "A", "x"}}, airquality.NewNetwork(airquality.CityOptions{}), sink, nil, quiet)
	if err := p.UseState(st, 0); err != nil {
		t.Fatal(err)
	}
	bk := p.Bulk()
	start := time.Date(2022, 5, 31, 16, 0, 0, 0, time.UTC) // 2022-06-01 00:00 Beijing
	deliver, n := bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start, 48)})
	if n != 48 {
		t.Fatalf("accepted %d, want 48", n)
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
	if err := bk.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if got := countDays(t, st); got != 2 {
		t.Fatalf("%d station-days persisted after the checkpoint, want 2", got)
	}

	// A failed write: the batch goes to the spool with the engine state of the third day.
	sink.err = errors.New("connection refused")
	deliver, _ = bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start.Add(48*time.Hour), 24)})
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
	deliver, _ = bk.Stage(&reading.Batch{Source: "s", Readings: hours("A", start.Add(72*time.Hour), 1)})
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
}
