package collector

import (
	"testing"
	"time"

	"github.com/envwatch/envwatch/reading"
)

// A backfill of 1–31 January (Beijing) is the window 1 Jan 00:00 … 1 Feb 00:00. Hourly air
// values are labelled by their hour's end, so (From, To]; water samples are taken at an
// instant, so [From, To): a sample dated "2025-01-01" (00:00) is in, one at 1 February
// 00:00 is the next window's.
func TestWindowSemanticsByKind(t *testing.T) {
	bj := time.FixedZone("CST", 8*3600)
	w := Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, bj), To: time.Date(2025, 2, 1, 0, 0, 0, 0, bj), Backfill: true}
	for _, c := range []struct {
		name string
		r    reading.Reading
		in   bool
	}{
		{"air hour ending at From (31 Dec 23:00–24:00)", reading.Reading{Kind: reading.Air, Period: reading.Hour, End: w.From}, false},
		{"air hour ending 01:00 on 1 Jan", reading.Reading{Kind: reading.Air, Period: reading.Hour, End: w.From.Add(time.Hour)}, true},
		{"air hour ending at To (31 Jan 23:00–24:00)", reading.Reading{Kind: reading.Air, Period: reading.Hour, End: w.To}, true},
		{"water sample at From (date only)", reading.Reading{Kind: reading.Water, End: w.From}, true},
		{"water sample at To", reading.Reading{Kind: reading.Water, End: w.To}, false},
		{"water sample one second before To", reading.Reading{Kind: reading.Water, End: w.To.Add(-time.Second)}, true},
		{"real-time air value at From", reading.Reading{Kind: reading.Air, Period: reading.Instant, End: w.From}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := w.Holds(&c.r); got != c.in {
				t.Errorf("%s: in window %v, want %v", c.name, got, c.in)
			}
		})
	}
}
