package pipeline

import (
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/envwatch/envwatch/airquality"
)

// Snapshot holds what the exposition reads, copied under the lock.
type Snapshot struct {
	Latest map[string]Latest
	// WaterLatest is the time of the newest sample of each section.
	WaterLatest map[string]time.Time
}

// Snapshot returns a consistent copy of the pipeline's current state.
func (p *Pipeline) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Snapshot{Latest: make(map[string]Latest, len(p.latest)), WaterLatest: p.water.Newest()}
	for k, v := range p.latest {
		s.Latest[k] = *v
	}
	return s
}

// AreaNow is an area's latest real-time values and its provisional day.
type AreaNow struct {
	End      time.Time
	Hour     [airquality.NumPollutants]airquality.Value
	Stations int
	// Day holds the provisional values of today (Asia/Shanghai) from its hours so far
	// (airquality.ProvisionalDay), DayHours how many hours of it have a value.
	Day      airquality.DayValues
	DayHours int
	// HasDay is false when no station has an hour of today yet.
	HasDay bool
}

// AreaNow returns an area's newest hour (the newest observed by any of its stations) and
// the provisional day of now's natural day.
func (p *Pipeline) AreaNow(area string, now time.Time) (AreaNow, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out AreaNow
	for _, code := range p.air.AreaStations(area) {
		if l := p.latest[code]; l != nil && l.End.After(out.End) {
			out.End = l.End
		}
	}
	if out.End.IsZero() {
		return out, false
	}
	out.Hour, out.Stations = p.air.AreaHour(area, out.End)
	out.Day, out.DayHours, out.HasDay = p.air.AreaProvisional(area, airquality.DayOf(now))
	return out, true
}

// AreaDays returns an area's daily values (the air engine, under the pipeline's lock).
func (p *Pipeline) AreaDays(area string, r airquality.Range) []airquality.DayValues {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.air.AreaDays(area, r)
}

// AreaVersion fingerprints an area's station-days in r (see airquality.Network.AreaVersion).
func (p *Pipeline) AreaVersion(area string, r airquality.Range) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.air.AreaVersion(area, r)
}

// WaterVersion changes whenever a sample of the section is applied (for caches).
func (p *Pipeline) WaterVersion(section string) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.water.Version(section)
}

// StationDays returns a station's daily values for the days of r that have data.
func (p *Pipeline) StationDays(code string, r airquality.Range) []airquality.DayValues {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.air.Station(code)
	if !ok {
		return nil
	}
	return p.air.Series(i).Days(r)
}

// AreaStations lists the assessment stations of an area.
func (p *Pipeline) AreaStations(area string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.air.AreaStations(area)
}

// Rejection is a count of rejected values of one source and reason.
type Rejection struct {
	Source, Reason string
	Count          int64
}

// Rejections are the counts of envwatch_readings_rejected_total since start, read from the
// counters themselves (not through a gather of the whole registry), largest first.
func (p *Pipeline) Rejections() []Rejection {
	ch := make(chan prometheus.Metric, 64)
	go func() { p.rejected.Collect(ch); close(ch) }()
	var out []Rejection
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) != nil {
			continue
		}
		r := Rejection{Count: int64(d.GetCounter().GetValue())}
		for _, l := range d.GetLabel() {
			switch l.GetName() {
			case "source":
				r.Source = l.GetValue()
			case "reason":
				r.Reason = l.GetValue()
			}
		}
		if r.Count > 0 {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Source+out[i].Reason < out[j].Source+out[j].Reason
	})
	return out
}
