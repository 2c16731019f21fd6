package airquality

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Network is the incremental air engine of a set of stations grouped into areas (a city
// and its districts). Stations are referred to by the index Add returned so the hot path
// needs no map look-up. Area daily values are cached per day and recomputed only when one
// of the area's stations changed that day. Not safe for concurrent use.
type Network struct {
	codes    []string
	index    map[string]int
	series   []*Series
	areas    map[string]*area
	cityOpts CityOptions
}

type area struct {
	members []int
	cache   map[Day]areaDay
}

type areaDay struct {
	key uint64 // sum of member generations: they only grow, so any change changes it
	v   compactDay
}

// NewNetwork returns an empty network.
func NewNetwork(opt CityOptions) *Network {
	return &Network{index: map[string]int{}, areas: map[string]*area{}, cityOpts: opt}
}

// AddStation registers a station and returns its index (the existing one if known).
func (n *Network) AddStation(code string) int {
	if i, ok := n.index[code]; ok {
		return i
	}
	n.codes = append(n.codes, code)
	n.series = append(n.series, NewSeries())
	n.index[code] = len(n.codes) - 1
	return len(n.codes) - 1
}

// Station returns the index of a station code.
func (n *Network) Station(code string) (int, bool) {
	i, ok := n.index[code]
	return i, ok
}

// StationCode returns the code of a station index.
func (n *Network) StationCode(i int) string { return n.codes[i] }

// Series returns the data of a station.
func (n *Network) Series(i int) *Series { return n.series[i] }

// SetArea defines an area by the codes of the stations that count for its assessment
// (city assessment stations only, R1).
func (n *Network) SetArea(name string, stationCodes []string) error {
	a := &area{cache: map[Day]areaDay{}}
	for _, c := range stationCodes {
		i, ok := n.index[c]
		if !ok {
			return fmt.Errorf("area %q: unknown station %q", name, c)
		}
		a.members = append(a.members, i)
	}
	slices.Sort(a.members)
	n.areas[name] = a
	return nil
}

// Areas lists the area names.
func (n *Network) Areas() []string {
	out := make([]string, 0, len(n.areas))
	for k := range n.areas {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// AreaDay returns the area's daily values (HJ 663 Table A.2) for a day.
func (n *Network) AreaDay(name string, d Day) (DayValues, bool) {
	a := n.areas[name]
	if a == nil {
		return DayValues{}, false
	}
	// The cache is checked on generations alone: frozen days are decoded only on a miss.
	var key uint64
	found := false
	for _, i := range a.members {
		if gen, ok := n.series[i].Gen(d); ok {
			key += uint64(gen) + 1
			found = true
		}
	}
	if !found {
		return DayValues{}, false
	}
	if c, ok := a.cache[d]; ok && c.key == key {
		return c.v.values(), true
	}
	days := make([]*StationDay, 0, len(a.members))
	for _, i := range a.members {
		if sd, _ := n.series[i].Day(d); sd != nil {
			days = append(days, sd)
		}
	}
	v := CityDay(d, days, n.cityOpts)
	a.cache[d] = areaDay{key: key, v: compactDayOf(&v)}
	return v, true
}

// AreaVersion fingerprints the station-days of an area's members in r: it changes
// whenever any of them is written, so a caller can keep what it derived from AreaDays
// until then. It reads generations only (no decoding, no allocation).
func (n *Network) AreaVersion(name string, r Range) uint64 {
	a := n.areas[name]
	if a == nil {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, i := range a.members {
		for d := r.From; d <= r.To; d++ {
			if gen, ok := n.series[i].Gen(d); ok {
				// FNV-1a over (member, day, generation): order-sensitive, unlike a sum.
				for _, x := range [3]uint64{uint64(i), uint64(d), uint64(gen)} {
					h ^= x
					h *= 1099511628211
				}
			}
		}
	}
	return h
}

// Compact freezes every station's blocks of days before d: their hours stay exact and a
// late revision thaws them, but they take about a quarter of the memory.
func (n *Network) Compact(before Day) {
	for _, s := range n.series {
		s.Compact(before)
	}
}

// AreaDays returns the area's daily values for every day of r that has data.
func (n *Network) AreaDays(name string, r Range) []DayValues {
	var out []DayValues
	for d := r.From; d <= r.To; d++ {
		if v, ok := n.AreaDay(name, d); ok {
			out = append(out, v)
		}
	}
	return out
}

// AreaStations returns the station codes of an area.
func (n *Network) AreaStations(name string) []string {
	a := n.areas[name]
	if a == nil {
		return nil
	}
	out := make([]string, len(a.members))
	for i, m := range a.members {
		out[i] = n.codes[m]
	}
	return out
}

// AreaHour is an area's real-time (hourly) values: each pollutant the mean of its
// stations' valid values that hour (R2), rounded like a concentration.
func (n *Network) AreaHour(name string, end time.Time) (vals [NumPollutants]Value, stations int) {
	a := n.areas[name]
	if a == nil {
		return vals, 0
	}
	day, slot, err := HourSlot(end)
	if err != nil {
		return vals, 0
	}
	seen := map[int]bool{}
	for p := Pollutant(0); p < NumPollutants; p++ {
		sum := new(big.Rat)
		k, unmonitored, other := 0, 0, 0
		for _, i := range a.members {
			sd, _ := n.series[i].Day(day)
			if sd == nil {
				continue
			}
			if v, ok := sd.Hour(p, slot); ok {
				sum.Add(sum, v.Rat())
				k++
				seen[i] = true
			} else if sd.NotMonitored(p, slot) {
				unmonitored++
			} else {
				other++
			}
		}
		switch {
		case k > 0:
			sum.Quo(sum, big.NewRat(int64(k), 1))
			if d, ok := fixed.FromRat(sum); ok {
				vals[p] = Some(d)
			}
		case unmonitored > 0 && other == 0:
			// Not monitored anywhere in the area: not missing either.
			vals[p].NotMonitored = true
		}
	}
	return vals, len(seen)
}

// AreaProvisional returns the area's running day (ProvisionalDay) and its hours so far;
// false when no station has an hour of that day.
func (n *Network) AreaProvisional(name string, d Day) (DayValues, int, bool) {
	a := n.areas[name]
	if a == nil {
		return DayValues{}, 0, false
	}
	days := make([]*StationDay, 0, len(a.members))
	for _, i := range a.members {
		if sd, _ := n.series[i].Day(d); sd != nil {
			days = append(days, sd)
		}
	}
	if len(days) == 0 {
		return DayValues{}, 0, false
	}
	v, hours := ProvisionalDay(d, days, n.cityOpts)
	return v, hours, hours > 0
}
