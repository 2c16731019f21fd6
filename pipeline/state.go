package pipeline

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/store"
	"github.com/envwatch/envwatch/waterquality"
)

type airKey struct {
	site *siteEntry
	day  airquality.Day
}

func (p *Pipeline) airDays(touched map[airKey]bool) []store.AirDay {
	out := make([]store.AirDay, 0, len(touched))
	for k := range touched {
		sd, _ := p.air.Series(k.site.station).Day(k.day)
		if sd == nil {
			continue
		}
		b, _ := sd.MarshalBinary()
		out = append(out, store.AirDay{Station: k.site.Code, Day: int32(k.day), Data: b})
	}
	return out
}

// applyWater merges a sample into the section's sample of the same time item by item: a
// field file (DO, pH, temperature) and a lab file for one sampling make one sample, and an
// item sent again replaces its earlier value (a revision, counted by the caller). It
// returns the merged values and the number of items revised.
func (p *Pipeline) applyWater(r *reading.Reading) ([]reading.Value, int) {
	if r.End.After(p.water[r.Site]) {
		p.water[r.Site] = r.End
	}
	m := p.samples[r.Site]
	if m == nil {
		m = map[int64][]reading.Value{}
		p.samples[r.Site] = m
	}
	revised := 0
	merged := mergeValues(m[r.End.Unix()], r.Values, &revised)
	m[r.End.Unix()] = merged
	p.waterGen[r.Site]++
	return merged, revised
}

// mergeValues returns old's items overridden and extended by new's, in old's order then
// new items; revised (when not nil) counts the items of new that old held.
func mergeValues(old, new []reading.Value, revised *int) []reading.Value {
	if len(old) == 0 {
		return new
	}
	out := make([]reading.Value, len(old), len(old)+len(new))
	copy(out, old)
	for _, v := range new {
		found := false
		for i := range out {
			if out[i].Code == v.Code {
				out[i], found = v, true
				if revised != nil {
					*revised++
				}
				break
			}
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}

// encodeValues writes "code=value:flag;…".
func encodeValues(vs []reading.Value) []byte {
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, v.Code...)
		b = append(b, '=')
		b = append(b, v.V.String()...)
		b = append(b, ':')
		b = append(b, v.Flag...)
		if v.Counts {
			b = append(b, '+')
		}
	}
	return b
}

func decodeValues(b []byte, in interner) ([]reading.Value, error) {
	// Sized exactly, and codes and flags interned rather than substrings of a copy of b: a
	// national year restores 43,000 samples, and each kept its text and a slice grown by
	// doubling (≈ 46 MB of the steady-state heap, docs/performance.md).
	out := make([]reading.Value, 0, bytes.Count(b, []byte{';'})+1)
	for len(b) > 0 {
		var part []byte
		part, b, _ = bytes.Cut(b, []byte{';'})
		if len(part) == 0 {
			continue
		}
		code, rest, ok1 := bytes.Cut(part, []byte{'='})
		val, flag, ok2 := bytes.Cut(rest, []byte{':'})
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("corrupt water sample %q", part)
		}
		d, err := fixed.Parse(string(val))
		if err != nil {
			return nil, err
		}
		counts := bytes.HasSuffix(flag, []byte{'+'})
		out = append(out, reading.Value{Code: in.of(code), V: d, Flag: in.of(bytes.TrimSuffix(flag, []byte{'+'})), Counts: counts})
	}
	return out, nil
}

// interner returns one string per distinct text (item codes and flags are a few dozen).
type interner map[string]string

func (in interner) of(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation: the compiler looks up without converting
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// UseState makes the pipeline persist engine changes and spool in st (bounded by spoolMax
// bytes, 0 = unbounded) and restores what st holds.
func (p *Pipeline) UseState(st StateStore, spoolMax int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state, p.spoolMax = st, spoolMax
	// Days come station by station: each station's closed days are frozen as soon as it
	// is loaded, so a year of national history never sits in memory unfrozen.
	prev, prevNewest := -1, airquality.Day(0)
	freezePrev := func() {
		if prev >= 0 {
			p.air.Series(prev).Compact(prevNewest - hotDays)
		}
	}
	err := st.LoadAir(func(d store.AirDay) error {
		idx, ok := p.air.Station(d.Station)
		if !ok {
			return nil // a station removed from the configuration
		}
		var sd airquality.StationDay
		if err := sd.UnmarshalBinary(d.Data); err != nil {
			return fmt.Errorf("station %s day %d: %w", d.Station, d.Day, err)
		}
		if idx != prev {
			freezePrev()
			prev, prevNewest = idx, 0
		}
		day := airquality.Day(d.Day)
		p.air.Series(idx).PutDayEncoded(day, &sd, bytes.Clone(d.Data)) // d.Data lives only as long as the read
		p.newest, prevNewest = max(p.newest, day), max(prevNewest, day)
		p.restoreLatest(d.Station, day, &sd)
		return nil
	})
	if err != nil {
		return err
	}
	freezePrev()
	p.compact()
	// Every air hour up to the newest one ever applied — including hours whose values were
	// all flagged, which leave no station-day behind — may have its point in InfluxDB, so
	// each counts as a rewrite for every station (its flags field is always written).
	hw, ok, err := st.HighWater(markNewestHour)
	if err != nil {
		return fmt.Errorf("reading the newest hour: %w", err)
	}
	if ok {
		p.newestHour = max(p.newestHour, hw.Unix())
	}
	if p.newest > 0 {
		p.newestHour = max(p.newestHour, (p.newest + 1).Start().Unix())
	}
	for _, e := range p.sites {
		if e.Kind == reading.Air {
			e.maxEnd = max(e.maxEnd, p.newestHour)
		}
	}
	p.version.Add(1)
	in := interner{}
	return st.LoadWater(func(w store.WaterSample) error {
		if _, ok := p.sites[key(reading.Water, w.Section)]; !ok {
			return nil
		}
		vs, err := decodeValues(w.Data, in)
		if err != nil {
			return err
		}
		p.applyWater(&reading.Reading{Kind: reading.Water, Site: w.Section, End: time.Unix(w.Unix, 0).UTC(), Values: vs})
		return nil
	})
}

// restoreLatest rebuilds the latest observation from the newest restored hour.
func (p *Pipeline) restoreLatest(station string, day airquality.Day, sd *airquality.StationDay) {
	for slot := 23; slot >= 0; slot-- {
		var vals [airquality.NumPollutants]airquality.Value
		any := false
		for pol := airquality.Pollutant(0); pol < airquality.NumPollutants; pol++ {
			if v, ok := sd.Hour(pol, slot); ok {
				vals[pol] = airquality.Some(v)
				any = true
			}
		}
		if !any {
			continue
		}
		end := day.HourEnd(slot).UTC()
		if l := p.latest[station]; l == nil || end.After(l.End) {
			l = &Latest{End: end, Values: vals}
			p.latest[station] = l
			if e := p.sites[key(reading.Air, station)]; e != nil {
				e.latest = l
			}
		}
		return
	}
}

// WaterSamples returns the valid values of a section's samples with End in [from, to),
// as evaluation samples, in time order.
func (p *Pipeline) WaterSamples(section string, from, to time.Time) []waterquality.Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waterSamples(section, from, to)
}

// waterSamples is WaterSamples for a caller holding p.mu.
func (p *Pipeline) waterSamples(section string, from, to time.Time) []waterquality.Sample {
	var times []int64
	for t := range p.samples[section] {
		if t >= from.Unix() && t < to.Unix() {
			times = append(times, t)
		}
	}
	slices.Sort(times)
	out := make([]waterquality.Sample, 0, len(times))
	for _, t := range times {
		var s waterquality.Sample
		for _, v := range p.samples[section][t] {
			it, ok := waterquality.ParseItem(v.Code)
			switch {
			case !ok:
			case waterquality.IsBelowFlag(v.Flag):
				s.SetBelow(it, v.V) // the value is the detection limit
			case v.Valid():
				s.Set(it, v.V)
			}
		}
		out = append(out, s)
	}
	return out
}
