package service

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/pipeline"
)

// staleAfter is when a station's newest hour counts as stale: the StationDataMissing
// alert's threshold, so that the page and the alert agree.
const staleAfter = 3 * time.Hour

// aqiJSON is a real-time or provisional AQI with its level and primary pollutants.
type aqiJSON struct {
	AQI      *int     `json:"aqi"`
	Level    *int     `json:"level"`
	Category string   `json:"category,omitempty"`
	Primary  []string `json:"primary"`
	// IAQI is each computed item's individual index: what drives the AQI.
	IAQI    map[string]int `json:"iaqi"`
	Edition string         `json:"edition"`
}

func aqiOf(res *airquality.Result, lang string) aqiJSON {
	j := aqiJSON{Primary: []string{}, IAQI: map[string]int{}, Edition: res.Version.String()}
	for _, it := range res.Computed.Items() {
		j.IAQI[it.Code()] = res.IAQI[it].Value
	}
	if res.NA {
		return j
	}
	a, l := res.AQI, int(res.Level())
	j.AQI, j.Level = &a, &l
	j.Category = res.Level().Info().Category
	if lang == "en" {
		j.Category = res.Level().Info().CategoryEN
	}
	if res.AQI > 50 {
		for _, it := range res.Primary.Items() {
			j.Primary = append(j.Primary, it.Code())
		}
	}
	return j
}

type nowStation struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Area       string `json:"area"`
	Assessment bool   `json:"assessment"`
	// End is the end of the station's newest hour; null when it has none.
	End        *string `json:"end"`
	AgeSeconds *int64  `json:"age_seconds"`
	Stale      bool    `json:"stale"`
	aqiJSON
}

// nowHour is the area's newest hour: stale once older than stale_after_seconds, when a
// page greys it and says how old it is.
type nowHour struct {
	End        string `json:"end"`
	AgeSeconds int64  `json:"age_seconds"`
	Stale      bool   `json:"stale"`
	Stations   int    `json:"stations"`
	aqiJSON
}

// nowToday is the provisional AQI of today from the hours so far.
type nowToday struct {
	Date        string `json:"date"`
	Provisional bool   `json:"provisional"`
	Hours       int    `json:"hours"`
	aqiJSON
}

type nowRejected struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// nowJSON is GET /api/v1/now: an area's real-time AQI, its provisional day and the state
// of its stations, at one moment.
type nowJSON struct {
	Area     string `json:"area"`
	Name     string `json:"name"`
	Computed string `json:"computed"`
	// Hour is the area's newest hour (null without any), with its age; Today the
	// provisional day so far (null before today's first hour).
	Hour              *nowHour      `json:"hour"`
	Today             *nowToday     `json:"today"`
	StaleAfterSeconds int64         `json:"stale_after_seconds"`
	Stations          []nowStation  `json:"stations"`
	StaleStations     []string      `json:"stale_stations"`
	Rejected          []nowRejected `json:"rejected_readings"`
}

// Now answers GET /api/v1/now for an area.
func (s *Generation) Now(_ context.Context, w io.Writer, areaKey, lang string, now time.Time) error {
	area, err := findArea(s.cfg, areaKey)
	if err != nil {
		return &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
	}
	name := area.Name
	if lang == "en" && area.NameEN != "" {
		name = area.NameEN
	}
	out := nowJSON{Area: area.ID, Name: name, Computed: now.In(s.loc).Format(time.RFC3339), StaleAfterSeconds: int64(staleAfter / time.Second),
		Stations: []nowStation{}, StaleStations: []string{}, Rejected: []nowRejected{}}
	if an, ok := s.pl.AreaNow(area.ID, now); ok {
		out.Hour = hourJSON(an, s.aqi, s.loc, lang, now)
		if an.HasDay {
			d := airquality.ProvisionalAQI(&an.Day, s.aqi)
			out.Today = &nowToday{Date: airquality.DayOf(now).String(), Provisional: true, Hours: an.DayHours, aqiJSON: aqiOf(&d, lang)}
		}
	}
	under := s.cfg.AreaTree().Descendants(area.ID)
	snap := s.pl.Snapshot()
	for _, st := range s.cfg.Stations {
		if !under[st.Area] {
			continue
		}
		j := nowStation{Code: st.Code, Name: st.Name, Area: st.Area, Assessment: st.Counts(), aqiJSON: aqiJSON{Primary: []string{}, IAQI: map[string]int{}}}
		if l, ok := snap.Latest[st.Code]; ok {
			in := airquality.HourlyFrom(&l.Values)
			res := s.aqi.Hourly(l.End, &in)
			j.aqiJSON = aqiOf(&res, lang)
			e, age := l.End.In(s.loc).Format(time.RFC3339), int64(now.Sub(l.End)/time.Second)
			j.End, j.AgeSeconds, j.Stale = &e, &age, now.Sub(l.End) > staleAfter
		} else {
			j.Stale = true
		}
		if j.Stale {
			out.StaleStations = append(out.StaleStations, st.Code)
		}
		out.Stations = append(out.Stations, j)
	}
	for _, r := range s.pl.Rejections() {
		out.Rejected = append(out.Rejected, nowRejected{Source: r.Source, Reason: r.Reason, Count: r.Count})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func hourJSON(an pipeline.AreaNow, opt airquality.AQIOptions, loc *time.Location, lang string, now time.Time) *nowHour {
	in := airquality.HourlyFrom(&an.Hour)
	res := opt.Hourly(an.End, &in)
	return &nowHour{End: an.End.In(loc).Format(time.RFC3339), AgeSeconds: int64(now.Sub(an.End) / time.Second),
		Stale: now.Sub(an.End) > staleAfter, Stations: an.Stations, aqiJSON: aqiOf(&res, lang)}
}
