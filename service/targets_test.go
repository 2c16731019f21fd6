package service

import (
	"context"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
)

// The exposition never waits for a snapshot another goroutine is computing: it shows the
// last one (none before the first); get waits; fresh tells whether the snapshot of the
// current data and day is there, so the cached exposition is gathered again once it is.
func TestSnapshotCacheDoesNotMakeScrapesWait(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.Close()
	calc, err := s.calculator()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 6, 3, 2, 0, 0, 0, time.UTC)
	c := &snapshotCache{calc: calc, version: s.pl.Version, now: func() time.Time { return now }}

	c.computing.Lock() // another goroutine computes
	if snap := c.current(); snap.AsOf != 0 || len(snap.Results) != 0 || fresh(c) {
		t.Errorf("before the first snapshot: %+v, fresh %v; want none", snap, fresh(c))
	}
	c.computing.Unlock()
	first := c.get()
	if first.AsOf == 0 || !fresh(c) {
		t.Fatalf("get: as of %v, fresh %v", first.AsOf, fresh(c))
	}
	// New data: the snapshot is stale until recomputed; while that runs elsewhere the
	// exposition keeps the last one.
	end := time.Date(2022, 6, 1, 1, 0, 0, 0, time.UTC)
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "t", Readings: []reading.Reading{{Kind: reading.Air,
		Site: "1812A", End: end, Values: []reading.Value{{Code: "pm2_5", V: 30000, Flag: "N"}}}}}); err != nil {
		t.Fatal(err)
	}
	if fresh(c) {
		t.Error("fresh after new data")
	}
	c.computing.Lock()
	if snap := c.current(); snap.AsOf != first.AsOf {
		t.Errorf("while computing: as of %v, want the last snapshot's %v", snap.AsOf, first.AsOf)
	}
	c.computing.Unlock()
	c.current() // nobody else computing: it computes
	if !fresh(c) {
		t.Error("not fresh after current computed")
	}
}

func fresh(c *snapshotCache) bool { return c.state().fresh }

// Data arriving while the background computation runs made the stored snapshot stale at
// once; the exposition gathered meanwhile (without indicators) must not stay: the stored
// snapshot changes the cached exposition's key, and the next scrape recomputes (measured
// at national scale: a water source's first run during start-up left a year's exposition
// without indicators until the next batch).
func TestExpositionCatchesUpWithDataDuringWarm(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.Close()
	now := time.Date(2022, 6, 3, 2, 0, 0, 0, time.UTC)
	g, c, err := s.domainGatherer(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	indicators := func() int {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "envwatch_indicator_valid" {
				return len(mf.GetMetric())
			}
		}
		return 0
	}
	c.computing.Lock() // the background computation starts, on the data as they are
	v1 := s.pl.Version()
	end := time.Date(2022, 6, 1, 1, 0, 0, 0, time.UTC)
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "t", Readings: []reading.Reading{{Kind: reading.Air,
		Site: "1812A", End: end, Values: []reading.Value{{Code: "pm2_5", V: 30000, Flag: "N"}}}}}); err != nil {
		t.Fatal(err)
	}
	if n := indicators(); n != 0 {
		t.Fatalf("%d indicator series before any snapshot", n)
	}
	// It stores its snapshot, computed on the data before the batch.
	snap := c.calc.ComputeLatest(airquality.DayOf(now)-1, now)
	c.mu.Lock()
	c.last, c.key = snap, dataKey{v1, airquality.DayOf(now)}
	c.gen++
	c.mu.Unlock()
	c.computing.Unlock()
	if n := indicators(); n == 0 {
		t.Error("the exposition stayed without indicators after the snapshot was stored")
	}
	if !fresh(c) {
		t.Error("the scrape did not recompute the stale snapshot")
	}
}
