package pipeline

import (
	"bytes"
	"fmt"
	"time"

	"github.com/envwatch/envwatch/airquality"
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

// applyWater merges a sample into the water store (waterquality.Store.Apply): it returns
// the merged values and the number of items revised.
func (p *Pipeline) applyWater(r *reading.Reading) ([]reading.Value, int) {
	return p.water.Apply(r.Site, r.End, r.Values)
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
	in := waterquality.Interner{}
	return st.LoadWater(func(w store.WaterSample) error {
		if _, ok := p.sites[key(reading.Water, w.Section)]; !ok {
			return nil
		}
		vs, err := waterquality.DecodeValues(w.Data, in)
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
	return p.water.Samples(section, from, to)
}
