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

func aqiOf(res *airquality.Result, lang string) api.Index {
	j := api.Index{Primary: []string{}, IAQI: map[string]int{}, Edition: res.Version.String()}
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
	out := api.Now{Area: area.ID, Name: name, Computed: now.In(s.loc).Format(time.RFC3339), StaleAfterSeconds: int64(staleAfter / time.Second),
		Stations: []api.NowStation{}, StaleStations: []string{}, Rejected: []api.NowRejected{}}
	if an, ok := s.pl.AreaNow(area.ID, now); ok {
		out.Hour = hourJSON(an, s.aqi, s.loc, lang, now)
		if an.HasDay {
			d := airquality.ProvisionalAQI(&an.Day, s.aqi)
			out.Today = &api.NowToday{Date: airquality.DayOf(now).String(), Provisional: true, Hours: an.DayHours, Index: aqiOf(&d, lang)}
		}
	}
	under := s.cfg.AreaTree().Descendants(area.ID)
	snap := s.pl.Snapshot()
	for _, st := range s.cfg.Stations {
		if !under[st.Area] {
			continue
		}
		j := api.NowStation{Code: st.Code, Name: st.Name, Area: st.Area, Assessment: st.Counts(), Index: api.Index{Primary: []string{}, IAQI: map[string]int{}}}
		if l, ok := snap.Latest[st.Code]; ok {
			in := airquality.HourlyFrom(&l.Values)
			res := s.aqi.Hourly(l.End, &in)
			j.Index = aqiOf(&res, lang)
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
		out.Rejected = append(out.Rejected, api.NowRejected{Source: r.Source, Reason: r.Reason, Count: r.Count})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func hourJSON(an pipeline.AreaNow, opt airquality.AQIOptions, loc *time.Location, lang string, now time.Time) *api.NowHour {
	in := airquality.HourlyFrom(&an.Hour)
	res := opt.Hourly(an.End, &in)
	return &api.NowHour{End: an.End.In(loc).Format(time.RFC3339), AgeSeconds: int64(now.Sub(an.End) / time.Second),
		Stale: now.Sub(an.End) > staleAfter, Stations: an.Stations, Index: aqiOf(&res, lang)}
}
