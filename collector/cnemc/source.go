package cnemc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/filetrack"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/reading"
)

// URLSource fetches one file per hour from a URL template, e.g.
// "https://example.org/Archive/{{.Local.Format \"2006-01-02\"}}/{{.Local.Format \"2006-01-02T15\"}}.csv".
// The template gets .Local (the hour-ending time in the source zone) and .UTC.
type URLSource struct {
	Template *template.Template
	Location *time.Location
	Parser   *Parser
	Client   *http.Client
	// MaxBody bounds a response (default 64 MiB).
	MaxBody int64
}

// ParseURLTemplate compiles a URL template and checks it executes.
func ParseURLTemplate(s string) (*template.Template, error) {
	t, err := template.New("url").Option("missingkey=error").Parse(s)
	if err != nil {
		return nil, err
	}
	if err := t.Execute(io.Discard, urlData{Local: time.Now(), UTC: time.Now()}); err != nil {
		return nil, err
	}
	return t, nil
}

type urlData struct{ Local, UTC time.Time }

// Fetch implements collector.Pull: one request per hour of the window. A 404 is "not
// published yet" and skipped; other failures fail the fetch so it is retried.
func (s *URLSource) Fetch(ctx context.Context, w collector.Window) (*reading.Batch, error) {
	b := &reading.Batch{}
	max := s.MaxBody
	if max <= 0 {
		max = 64 << 20
	}
	for end := w.From.Truncate(time.Hour).Add(time.Hour); !end.After(w.To); end = end.Add(time.Hour) {
		label := end
		if s.Parser.HourStart {
			label = end.Add(-time.Hour)
		}
		var u strings.Builder
		if err := s.Template.Execute(&u, urlData{Local: label.In(s.Location), UTC: label.UTC()}); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		resp, err := s.Client.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // let the connection be reused
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				continue
			}
			return nil, fmt.Errorf("GET %s: HTTP %d", u.String(), resp.StatusCode)
		}
		// Parsed as it arrives, a record at a time (bounded by the parser's limits), never
		// held whole.
		body := &io.LimitedReader{R: resp.Body, N: max + 1}
		rs, rejects, err := s.Parser.Parse(body, u.String())
		resp.Body.Close()
		if body.N <= 0 {
			return nil, fmt.Errorf("GET %s: response larger than %d bytes", u.String(), max)
		}
		if err != nil {
			b.Rejects = append(b.Rejects, reading.Reject{Reason: "bad_file", Detail: err.Error()})
			continue
		}
		b.Readings = append(b.Readings, rs...)
		b.Rejects = append(b.Rejects, rejects...)
	}
	return b, nil
}

// fileHour and fileDay find the hour or the day a file is named for: the archives' layout
// (2026-07-01/2026-07-01T12.csv) and day files (2026-07-01.csv, 20260701.csv).
var (
	fileHour = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})T(\d{2})(?:\D|$)`)
	fileDay  = regexp.MustCompile(`(?:^|\D)(\d{4}-?\d{2}-?\d{2})(?:\D|$)`)
)

// FileSpan tells from a file's name (its base name, else its folder) the period ends it
// can hold, in the source's zone: one hour for an hour file, the day's 24 hours for a day
// file; other names are not dated, and are read whatever a backfill's range.
func FileSpan(loc *time.Location, hourStart bool) func(rel string) (first, last time.Time, ok bool) {
	return func(rel string) (time.Time, time.Time, bool) {
		base := filepath.Base(rel)
		if m := fileHour.FindStringSubmatch(base); m != nil {
			t, err := time.ParseInLocation("2006-01-02T15", m[1]+"T"+m[2], loc)
			if err != nil {
				return time.Time{}, time.Time{}, false
			}
			if hourStart {
				t = t.Add(time.Hour)
			}
			return t, t, true
		}
		for _, name := range []string{base, filepath.Base(filepath.Dir(rel))} {
			if m := fileDay.FindStringSubmatch(name); m != nil {
				d, err := time.ParseInLocation("20060102", strings.ReplaceAll(m[1], "-", ""), loc)
				if err != nil {
					continue
				}
				// Labelled 00:00 … 23:00 (an archive's day folder) or ending 01:00 … 24:00,
				// by its end or its start: the widest span any of them can hold.
				return d, d.Add(25 * time.Hour), true
			}
		}
		return time.Time{}, time.Time{}, false
	}
}

// New builds a cnemc_csv source from its configuration.
func New(c config.Source, env collector.Env) (any, error) {
	k := c.CNEMC
	m, err := Preset(k.Preset)
	if err != nil {
		return nil, err
	}
	for field, col := range k.Columns {
		switch field {
		case "time":
			m.Time = col
		case "station":
			m.Station = col
		default:
			m.Columns[field] = col
		}
	}
	loc, err := env.Zone(c)
	if err != nil {
		return nil, err
	}
	stations := map[string]bool{}
	for _, s := range env.Sites.Stations {
		stations[s] = true
	}
	units, err := collector.AirUnits(k.Units)
	if err != nil {
		return nil, fmt.Errorf("cnemc_csv.%w", err)
	}
	p := &Parser{Mapping: m, Location: loc, HourStart: c.Timestamps == "start", Stations: stations, Units: units}
	if k.Dir != "" {
		if st, err := os.Stat(k.Dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("cnemc_csv.dir %q is not a readable directory", k.Dir)
		}
		return &filetrack.Source{Files: &filetrack.Tracker{Dir: k.Dir, Ext: ".csv", State: env.State, Dated: FileSpan(loc, p.HourStart)},
			Parse: p.ParseGroups}, nil
	}
	t, err := ParseURLTemplate(k.URL)
	if err != nil {
		return nil, fmt.Errorf("cnemc_csv.url: %w", err)
	}
	return &URLSource{Template: t, Location: loc, Parser: p, Client: &http.Client{Timeout: time.Duration(c.Timeout)}}, nil
}
