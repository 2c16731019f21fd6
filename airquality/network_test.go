package airquality

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Hours arriving out of order and revised must give the same aggregates as the final
// data written once in order.
func TestNetworkIncrementalOutOfOrderAndRevisions(t *testing.T) {
	start := DayFromDate(2022, 6, 1).Start()
	type obs struct {
		st   int
		end  int64
		p    Pollutant
		v    fixed.Dec
		keep bool
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var final []obs
	for st := 0; st < 3; st++ {
		for h := 1; h <= 24*10; h++ {
			for p := Pollutant(0); p < NumPollutants; p++ {
				if rng.IntN(20) == 0 {
					continue // a gap
				}
				final = append(final, obs{st, start.Add(time.Duration(h) * time.Hour).Unix(), p, fixed.Int(int64(10 + rng.IntN(150))), true})
			}
		}
	}
	build := func(stream []obs) *Network {
		n := NewNetwork(CityOptions{})
		for _, c := range []string{"A", "B", "C"} {
			n.AddStation(c)
		}
		if err := n.SetArea("city", []string{"A", "B", "C"}); err != nil {
			t.Fatal(err)
		}
		// Read once midway so caches exist and must be invalidated.
		for i, o := range stream {
			if i == len(stream)/2 {
				_ = n.AreaDays("city", Range{DayFromDate(2022, 6, 1), DayFromDate(2022, 6, 10)})
			}
			if o.keep {
				if err := n.Series(o.st).Set(o.end, o.p, o.v); err != nil {
					t.Fatal(err)
				}
			} else if err := n.Series(o.st).Clear(o.end, o.p); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	inOrder := build(final)

	// Shuffled stream with wrong first values, revised later, and hours that are
	// published then withdrawn.
	var noisy []obs
	for _, o := range final {
		wrong := o
		wrong.v += fixed.Int(37)
		noisy = append(noisy, wrong)
	}
	withdrawn := obs{0, start.Add(5 * time.Hour).Unix(), PM25, fixed.Int(999), true}
	rng.Shuffle(len(noisy), func(i, j int) { noisy[i], noisy[j] = noisy[j], noisy[i] })
	shuffled := append([]obs(nil), final...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	stream := append(append(append([]obs{withdrawn}, noisy...), shuffled...), obs{withdrawn.st, withdrawn.end, PM25, 0, false})
	// if the final data had that hour, restore it
	for _, o := range final {
		if o.st == withdrawn.st && o.end == withdrawn.end && o.p == PM25 {
			stream = append(stream, o)
		}
	}
	revised := build(stream)

	r := Range{DayFromDate(2022, 6, 1), DayFromDate(2022, 6, 11)}
	a := Assess(inOrder.AreaDays("city", r), r, PeriodOptions{})
	b := Assess(revised.AreaDays("city", r), r, PeriodOptions{})
	for p := Pollutant(0); p < NumPollutants; p++ {
		if a.Mean[p].Value.Cmp(b.Mean[p].Value) != 0 || a.Mean[p].N != b.Mean[p].N {
			t.Errorf("%s mean differs: %s vs %s", p, a.Mean[p].Value.FloatString(6), b.Mean[p].Value.FloatString(6))
		}
	}
	if a.GoodDays != b.GoodDays || a.ValidDays != b.ValidDays {
		t.Errorf("good/valid days differ: %d/%d vs %d/%d", a.GoodDays, a.ValidDays, b.GoodDays, b.ValidDays)
	}
	if a.ValidDays == 0 {
		t.Fatal("fixture produced no valid day")
	}
}

func TestHourSlot(t *testing.T) {
	cases := []struct {
		end  string
		day  string
		slot int
	}{
		{"2022-06-01T01:00:00+08:00", "2022-06-01", 0},
		{"2022-06-02T00:00:00+08:00", "2022-06-01", 23},
		{"2022-06-01T16:00:00+08:00", "2022-06-01", 15},
		{"2022-05-31T16:00:00Z", "2022-05-31", 23}, // 00:00 Beijing of 1 June ends 31 May
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			end, _ := time.Parse(time.RFC3339, c.end)
			d, slot, err := HourSlot(end)
			if err != nil || d.String() != c.day || slot != c.slot {
				t.Errorf("HourSlot(%s) = %s %d %v, want %s %d", c.end, d, slot, err, c.day, c.slot)
			}
		})
	}
	if _, _, err := HourSlot(time.Date(2022, 6, 1, 1, 30, 0, 0, Shanghai)); err == nil {
		t.Error("half-hour timestamp accepted")
	}
	if v := ForHourEnding(time.Date(2026, 3, 1, 0, 0, 0, 0, Shanghai)); v != V2012 {
		t.Errorf("00:00 of 2026-03-01 belongs to 28 Feb (2012), got %s", v)
	}
	if v := ForHourEnding(time.Date(2026, 3, 1, 1, 0, 0, 0, Shanghai)); v != V2026 {
		t.Errorf("01:00 of 2026-03-01 is 2026, got %s", v)
	}
}

// Ingesting one hourly reading into the incremental aggregates: target < 1 µs, 0 allocs.
func BenchmarkIngestHour(b *testing.B) {
	n := NewNetwork(CityOptions{})
	st := n.AddStation("1812A")
	s := n.Series(st)
	start := DayFromDate(2022, 1, 1).Start().Unix()
	v := fixed.Int(42)
	_ = s.Set(start+3600, PM25, v) // create the year outside the loop
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		h := i % (365 * 24)
		_ = s.Set(start+(h+1)*3600, Pollutant(i%NumPollutants), v+fixed.Dec(i))
		i++
	}
}

func TestStationDayBinaryRoundTrip(t *testing.T) {
	d := hoursOf(t, O3, mda8Example)
	fill(d, PM25, 12345, 3, 4)
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back StationDay
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if back != *d {
		t.Error("round trip changed the day")
	}
	if err := back.UnmarshalBinary(b[:10]); err == nil {
		t.Error("short input accepted")
	}
	s := NewSeries()
	day := DayFromDate(2022, 6, 1)
	s.PutDay(day, &back)
	if v, ok := s.DayValues(day); !ok || v.Conc[O3].Rounded(O3).String() != "148" {
		t.Errorf("restored MDA8 %v", v.Conc[O3].Value)
	}
}

// The outlook cache's key: an area's fingerprint over six years of its stations' days
// (docs/performance.md gives the figure and what it costs a national refresh).
func BenchmarkAreaVersionSixYears(b *testing.B) {
	n := NewNetwork(CityOptions{})
	var codes []string
	first := DayFromDate(2021, 1, 1)
	last := DayFromDate(2026, 12, 31)
	for k := range 8 {
		code := fmt.Sprintf("S%d", k)
		codes = append(codes, code)
		s := n.Series(n.AddStation(code))
		for d := first; d <= last; d++ {
			_ = s.Set(d.Start().Unix()+3600, PM25, fixed.Int(40))
		}
	}
	if err := n.SetArea("city", codes); err != nil {
		b.Fatal(err)
	}
	n.Compact(DayFromDate(2026, 12, 1))
	r := Range{From: first, To: last}
	b.ReportAllocs()
	for b.Loop() {
		_ = n.AreaVersion("city", r)
	}
}
