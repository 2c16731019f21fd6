package main

import (
	"context"
	"testing"
	"time"

	"github.com/envwatch/envwatch/reading"
)

// The exposition never waits for a snapshot another goroutine is computing: it shows the
// last one (none before the first); get waits; fresh tells whether the snapshot of the
// current data and day is there, so the cached exposition is gathered again once it is.
func TestSnapshotCacheDoesNotMakeScrapesWait(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.close()
	calc, err := s.calculator()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 6, 3, 2, 0, 0, 0, time.UTC)
	c := &snapshotCache{calc: calc, version: s.pl.Version, now: func() time.Time { return now }}

	c.computing.Lock() // another goroutine computes
	if snap := c.current(); snap.AsOf != 0 || len(snap.Results) != 0 || c.fresh() {
		t.Errorf("before the first snapshot: %+v, fresh %v; want none", snap, c.fresh())
	}
	c.computing.Unlock()
	first := c.get()
	if first.AsOf == 0 || !c.fresh() {
		t.Fatalf("get: as of %v, fresh %v", first.AsOf, c.fresh())
	}
	// New data: the snapshot is stale until recomputed; while that runs elsewhere the
	// exposition keeps the last one.
	end := time.Date(2022, 6, 1, 1, 0, 0, 0, time.UTC)
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "t", Readings: []reading.Reading{{Kind: reading.Air,
		Site: "1812A", End: end, Values: []reading.Value{{Code: "pm2_5", V: 30000, Flag: "N"}}}}}); err != nil {
		t.Fatal(err)
	}
	if c.fresh() {
		t.Error("fresh after new data")
	}
	c.computing.Lock()
	if snap := c.current(); snap.AsOf != first.AsOf {
		t.Errorf("while computing: as of %v, want the last snapshot's %v", snap.AsOf, first.AsOf)
	}
	c.computing.Unlock()
	c.current() // nobody else computing: it computes
	if !c.fresh() {
		t.Error("not fresh after current computed")
	}
}
