// Package simulate is the demo source: deterministic, realistic-looking hourly air readings
// for every configured station and monthly water samples for every section, so that a
// fresh machine has data to show. The same seed, site and hour always give the same value,
// whatever order or window they are fetched in.
package simulate

import (
	"context"
	"hash/fnv"
	"math"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// Source generates readings.
type Source struct {
	seed     uint64
	stations []string
	sections []string
	backfill time.Duration
}

// New returns a simulate source for the given sites.
func New(seed uint64, stations, sections []string, backfillDays int) *Source {
	return &Source{seed: seed, stations: stations, sections: sections, backfill: time.Duration(backfillDays) * 24 * time.Hour}
}

// InitialWindow is how far back the first run reaches.
func (s *Source) InitialWindow() time.Duration { return s.backfill }

// Fetch returns the readings whose period ends lie in the window.
func (s *Source) Fetch(ctx context.Context, w collector.Window) (*reading.Batch, error) {
	out, err := s.Readings(ctx, w.From, w.To)
	if err != nil {
		return nil, err
	}
	return &reading.Batch{Readings: out}, nil
}

// Readings returns the readings whose period ends lie in (from, to].
func (s *Source) Readings(ctx context.Context, from, to time.Time) ([]reading.Reading, error) {
	var out []reading.Reading
	first := from.Truncate(time.Hour).Add(time.Hour)
	for end := first; !end.After(to); end = end.Add(time.Hour) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i, st := range s.stations {
			if r, ok := s.air(i, st, end); ok {
				out = append(out, r)
			}
		}
		// Water: one sample per section on the 10th of each month, 10:00 Beijing time.
		local := end.In(airquality.Shanghai)
		if local.Day() == 10 && local.Hour() == 10 {
			for i, sec := range s.sections {
				out = append(out, s.water(i, sec, end))
			}
		}
	}
	return out, nil
}

// noise returns a deterministic uniform value in [0, 1) for the given key parts.
func (s *Source) noise(parts ...uint64) float64 {
	x := s.seed
	for _, p := range parts {
		x = splitmix(x ^ splitmix(p))
	}
	return float64(x>>11) / (1 << 53)
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// air builds the reading of one station for the hour ending at end.
func (s *Source) air(idx int, code string, end time.Time) (reading.Reading, bool) {
	local := end.Add(-30 * time.Minute).In(airquality.Shanghai) // the middle of the hour
	doy := float64(local.YearDay())
	hour := float64(local.Hour()) + 0.5
	day := uint64(end.Unix() / 86400)
	site := hashString(code)
	if s.noise(site, uint64(end.Unix()), 1) < 0.01 {
		return reading.Reading{}, false // about 1 % of hours are missing, as in real feeds
	}
	// Weather: a multi-day regime shared by all stations plus a small per-station part.
	regime := 0.4 + 1.2*s.noise(day/3, 2) + 0.2*s.noise(day, site, 3)
	winter := math.Pow(math.Cos(math.Pi*(doy-15)/365), 2) // 1 mid-January, 0 mid-July
	summer := 1 - winter
	stationFactor := 0.85 + 0.3*s.noise(site, 4)

	pm25 := (22 + 48*winter) * regime * stationFactor * (1 + 0.25*math.Cos(2*math.Pi*(hour-2)/24))
	pm25 *= 0.85 + 0.3*s.noise(site, uint64(end.Unix()), 5)
	pm10 := pm25 * (1.5 + 0.6*s.noise(site, uint64(end.Unix()), 6))
	no2 := (18 + 22*winter) * stationFactor * (1 + 0.35*math.Cos(2*math.Pi*(hour-20)/24)) * (0.8 + 0.4*s.noise(site, uint64(end.Unix()), 7))
	so2 := (5 + 10*winter) * (0.7 + 0.6*s.noise(site, uint64(end.Unix()), 8))
	co := (0.5 + 0.8*winter) * regime * (0.8 + 0.4*s.noise(site, uint64(end.Unix()), 9))
	sun := math.Max(0, math.Sin(math.Pi*(hour-7)/13)) // daylight 07:00–20:00, peak ~13:30–15:00
	o3 := (20 + (55+125*summer)*sun*sun) * (0.7 + 0.65*s.noise(day, 10)) * (0.9 + 0.2*s.noise(site, uint64(end.Unix()), 11))

	vals := []reading.Value{
		{Code: "pm2_5", V: fixed.Int(int64(math.Round(pm25))), Flag: "N"},
		{Code: "pm10", V: fixed.Int(int64(math.Round(pm10))), Flag: "N"},
		{Code: "so2", V: fixed.Int(int64(math.Round(so2))), Flag: "N"},
		{Code: "no2", V: fixed.Int(int64(math.Round(no2))), Flag: "N"},
		{Code: "co", V: fixed.Dec(int64(math.Round(co*10)) * (fixed.Scale / 10)), Flag: "N"},
		{Code: "o3", V: fixed.Int(int64(math.Round(o3))), Flag: "N"},
	}
	return reading.Reading{Kind: reading.Air, Site: code, End: end.UTC(), Values: vals}, true
}

// water builds a monthly sample around Class II–III with occasional excursions.
func (s *Source) water(idx int, code string, end time.Time) reading.Reading {
	site := hashString(code)
	month := uint64(end.Unix() / (30 * 86400))
	n := func(k uint64) float64 { return s.noise(site, month, k) }
	dec := func(v float64, places int) fixed.Dec {
		p := math.Pow(10, float64(places))
		d, _ := fixed.FromFloat(math.Round(v*p) / p)
		return d
	}
	poll := 0.6 + 0.8*s.noise(site, 20) // some sections are cleaner than others
	vals := []reading.Value{
		{Code: "ph", V: dec(7.2+0.9*n(21), 2), Flag: "N"},
		{Code: "do", V: dec(9.5-3*poll*n(22), 1), Flag: "N"},
		{Code: "codmn", V: dec(1.5+3.5*poll*n(23), 1), Flag: "N"},
		{Code: "cod", V: dec(8+10*poll*n(24), 1), Flag: "N"},
		{Code: "bod5", V: dec(1+2.5*poll*n(25), 1), Flag: "N"},
		{Code: "nh3n", V: dec(0.05+0.6*poll*n(26), 2), Flag: "N"},
		{Code: "tp", V: dec(0.005+0.06*poll*n(27), 3), Flag: "N"},
		{Code: "tn", V: dec(0.8+2*n(28), 2), Flag: "N"},
		{Code: "temp", V: dec(8+18*math.Pow(math.Sin(math.Pi*float64(end.In(airquality.Shanghai).YearDay())/365), 2), 1), Flag: "N"},
	}
	return reading.Reading{Kind: reading.Water, Site: code, End: end.UTC(), Values: vals}
}
