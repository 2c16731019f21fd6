package airquality

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Freezing closed days changes nothing a caller can see: the same daily values, the same
// generations (area caches stay valid), and late revisions — a new value or a withdrawn
// one — land in a frozen day exactly as in a hot one.
func TestCompactIsInvisible(t *testing.T) {
	build := func() *Network {
		n := NewNetwork(CityOptions{})
		for _, c := range []string{"A", "B", "C"} {
			n.AddStation(c)
		}
		if err := n.SetArea("city", []string{"A", "B", "C"}); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		first := DayFromDate(2025, 1, 1).HourEnd(0).Unix() // 2025-01-01 01:00 Beijing
		for h := int64(0); h < 120*24; h++ {
			for i := 0; i < 3; i++ {
				if rng.IntN(50) == 0 {
					continue // gaps
				}
				s := n.Series(i)
				for p := Pollutant(0); p < NumPollutants; p++ {
					v := fixed.Int(int64(5 + rng.IntN(150)))
					if p == CO {
						v = fixed.Dec(int64(rng.IntN(30)) * fixed.Scale / 10)
					}
					if err := s.Set(first+h*3600, p, v); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return n
	}
	r := Range{From: DayFromDate(2025, 1, 1), To: DayFromDate(2025, 4, 30)}
	hot, cold := build(), build()
	before := cold.AreaDays("city", r) // fills the area cache
	cold.Compact(DayFromDate(2025, 4, 1))
	if f := cold.Series(0).year(r.From, false); f.cold[0] == nil || f.blocks[0] != nil || f.blocks[3] == nil {
		t.Fatal("Compact froze the wrong blocks")
	}
	for d := r.From; d <= r.To; d++ {
		for i := 0; i < 3; i++ {
			hs, hg := hot.Series(i).Day(d)
			cs, cg := cold.Series(i).Day(d)
			if (hs == nil) != (cs == nil) || (hs != nil && (*hs != *cs || hg != cg)) {
				t.Fatalf("station %d day %v differs after Compact", i, d)
			}
		}
	}
	after := cold.AreaDays("city", r)
	for i := range before {
		if !sameDay(before[i], after[i]) {
			t.Fatalf("area day %v changed after Compact", before[i].Day)
		}
	}
	// Late revisions into January (frozen): one value replaced, one withdrawn.
	end := DayFromDate(2025, 1, 10).HourEnd(13).Unix()
	for _, n := range []*Network{hot, cold} {
		if err := n.Series(1).Set(end, PM25, fixed.Int(900)); err != nil {
			t.Fatal(err)
		}
		if err := n.Series(2).Clear(end, PM10); err != nil {
			t.Fatal(err)
		}
	}
	a := Assess(hot.AreaDays("city", r), r, PeriodOptions{})
	b := Assess(cold.AreaDays("city", r), r, PeriodOptions{})
	if a.Mean[PM25].Value.Cmp(b.Mean[PM25].Value) != 0 || a.Mean[PM10].Value.Cmp(b.Mean[PM10].Value) != 0 {
		t.Errorf("revised means differ: PM2.5 %v vs %v, PM10 %v vs %v", a.Mean[PM25].Value, b.Mean[PM25].Value, a.Mean[PM10].Value, b.Mean[PM10].Value)
	}
	if v := cold.AreaDays("city", Range{From: DayFromDate(2025, 1, 10), To: DayFromDate(2025, 1, 10)}); v[0].Conc[PM25].Value.Cmp(before[9].Conc[PM25].Value) <= 0 {
		t.Error("the revision into a frozen day did not raise that day's PM2.5")
	}
}

func sameDay(a, b DayValues) bool {
	for p := Pollutant(0); p < NumPollutants; p++ {
		if a.Conc[p].N != b.Conc[p].N || a.Conc[p].Reason != b.Conc[p].Reason ||
			(a.Conc[p].Value == nil) != (b.Conc[p].Value == nil) || (a.Conc[p].Value != nil && a.Conc[p].Value.Cmp(b.Conc[p].Value) != 0) {
			return false
		}
	}
	return a.Day == b.Day
}

// BenchmarkThawBlock is the cost of a late revision into a frozen block: decoding its 32
// full days back into hour arrays.
func BenchmarkThawBlock(b *testing.B) {
	var blk dayBlock
	for i := 0; i < blockDays; i++ {
		for p := 0; p < NumPollutants; p++ {
			blk.day(i).mask[p] = 1<<hoursPerDay - 1
			for h := 0; h < hoursPerDay; h++ {
				blk.day(i).hours[p][h] = int32((20 + (i+h+p)%50) * 1000)
			}
		}
		blk.has |= 1 << i
	}
	c := freeze(&blk)
	for b.Loop() {
		_ = c.thaw()
	}
}

// The area-day cache keeps values as int64 fractions, or as big.Rat when they do not fit:
// either way a value read back equals the value stored, exactly, and an absent value stays
// absent.
func TestCompactDayRoundTrip(t *testing.T) {
	huge, _ := new(big.Rat).SetString("123456789012345678901234567890/7")
	v := DayValues{Day: DayFromDate(2025, 3, 1)}
	v.Conc[PM25] = Stat{Value: big.NewRat(65, 2), N: 24, Reason: Valid}
	v.Conc[PM10] = Stat{Value: huge, N: 3, Reason: Valid}
	v.Conc[O3] = Stat{N: 10, Reason: Validity("too few hours")}
	v.O3Max1h = Stat{Value: big.NewRat(-1, 3), N: 1, Reason: Valid}
	c := compactDayOf(&v)
	back := c.values()
	if back.Day != v.Day {
		t.Errorf("day %v, want %v", back.Day, v.Day)
	}
	for i, pair := range [][2]Stat{{v.Conc[PM25], back.Conc[PM25]}, {v.Conc[PM10], back.Conc[PM10]}, {v.Conc[O3], back.Conc[O3]},
		{v.Conc[SO2], back.Conc[SO2]}, {v.O3Max1h, back.O3Max1h}} {
		a, b := pair[0], pair[1]
		if a.N != b.N || a.Reason != b.Reason || (a.Value == nil) != (b.Value == nil) || (a.Value != nil && a.Value.Cmp(b.Value) != 0) {
			t.Errorf("stat %d: stored %+v, read back %+v", i, a, b)
		}
	}
	if c.stat[PM10].big == nil || c.stat[PM25].big != nil {
		t.Error("the fraction that fits in int64 should be kept as one, the other as a big.Rat")
	}
	// A value read back is the caller's own: changing it does not change the cache.
	back.Conc[PM25].Value.SetInt64(0)
	if again := c.values(); again.Conc[PM25].Value.Cmp(big.NewRat(65, 2)) != 0 {
		t.Errorf("the cache changed with a value read from it: %v", again.Conc[PM25].Value)
	}
}

// A block restored with its stored encodings freezes to the same bytes as one whose days
// are encoded again, and a write after the restore is not lost to a stale encoding.
func TestPutDayEncodedFreezesTheSame(t *testing.T) {
	first := DayFromDate(2025, 1, 1)
	build := func(encoded bool) *Series {
		s := NewSeries()
		for i := 0; i < 40; i++ {
			var sd StationDay
			for h := 0; h < hoursPerDay; h += 1 + i%3 {
				sd.set(PM25, h, int32((20+i+h)*1000))
				sd.set(O3, h, int32((100+h)*1000+i))
			}
			if encoded {
				enc, _ := sd.MarshalBinary()
				s.PutDayEncoded(first+Day(i), &sd, enc)
			} else {
				s.PutDay(first+Day(i), &sd)
			}
		}
		return s
	}
	a, b := build(false), build(true)
	// A revision after the restore, in the first block, before freezing.
	end := (first + 3).Start().Add(5 * time.Hour).Unix()
	for _, s := range []*Series{a, b} {
		if err := s.Set(end, PM25, fixed.Int(99)); err != nil {
			t.Fatal(err)
		}
		s.Compact(first + 40)
	}
	ya, yb := a.years[2025], b.years[2025]
	for j := range ya.cold {
		if (ya.cold[j] == nil) != (yb.cold[j] == nil) || (ya.cold[j] != nil && !bytes.Equal(ya.cold[j].buf, yb.cold[j].buf)) {
			t.Fatalf("block %d frozen differently", j)
		}
	}
	day, slot, _ := HourSlot(time.Unix(end, 0))
	sd, _ := b.Day(day)
	if v, ok := sd.Hour(PM25, slot); day != first+3 || !ok || v != fixed.Int(99) {
		t.Errorf("the revision after the restore reads %v %v, want 99", v, ok)
	}
}
