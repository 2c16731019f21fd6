package service

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/api"
)

// One language per output: every page, report and assessment of the Luoyang example, fed a
// year and a half of its simulate source, in Chinese carries no English word and no raw
// code (ids, pollutant codes, statuses) and in English no Chinese — beyond what no
// translation exists for: the proper names the configuration gives only in Chinese
// (stations, sections, rivers, schemes, the money unit) and the marks both languages use
// (AQI, PM2.5, CSV …).
func TestOneLanguagePerOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("a year and a half of simulated hours through the engine")
	}
	now := time.Date(2026, 12, 6, 11, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s := exampleGeneration(t, time.Date(2025, 6, 1, 0, 0, 0, 0, now.Location()), now)

	// What has no translation: the configuration's Chinese-only names, the money unit.
	var names []string
	for _, st := range s.cfg.Stations {
		names = append(names, st.Name)
	}
	for _, sec := range s.cfg.Sections {
		names = append(names, sec.Name, sec.River)
	}
	for _, src := range s.cfg.DrinkingWaterSources {
		names = append(names, src.Name)
	}
	for _, a := range s.cfg.Assessments {
		for _, sc := range a.Schemes {
			names = append(names, sc.Name, sc.MoneyUnit)
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" })
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	var ids []string
	for _, a := range s.cfg.Areas {
		ids = append(ids, a.ID)
	}
	for _, sec := range s.cfg.Sections {
		ids = append(ids, sec.Code)
	}
	for _, src := range s.cfg.DrinkingWaterSources {
		ids = append(ids, src.Code)
	}

	outputs := map[string]string{}
	pg := s.Pages()
	pg.Now = func() time.Time { return now }
	for _, lang := range []string{"zh", "en"} {
		for _, u := range []string{"/pages/today", "/pages/month?month=2026-11", "/pages/year?year=2026"} {
			rec := httptest.NewRecorder()
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			pg.ServeHTTP(rec, httptest.NewRequest("GET", u+sep+"lang="+lang, nil))
			if rec.Code != 200 {
				t.Fatalf("%s %s: %d %s", u, lang, rec.Code, rec.Body.String())
			}
			outputs[lang+" "+u] = pageText(rec.Body.String())
		}
		var rep bytes.Buffer
		if _, err := s.Report(context.Background(), &rep, api.ReportQuery{Area: "luoyang", Year: 2026, Format: "text", Lang: lang}, now); err != nil {
			t.Fatal(err)
		}
		outputs[lang+" report"] = rep.String()
		var as bytes.Buffer
		if err := s.Assess(context.Background(), &as, api.AssessQuery{Area: "luoyang", Month: "2026-11", Format: "text", Lang: lang}, now); err != nil {
			t.Fatal(err)
		}
		outputs[lang+" assess"] = as.String()
		// The API's words for people (names, statuses, reasons, bases) in the asked language.
		for _, q := range []struct {
			name string
			fn   func(w io.Writer) error
		}{
			{"report json", func(w io.Writer) error {
				_, err := s.Report(context.Background(), w, api.ReportQuery{Area: "luoyang", Year: 2026, Format: "json", Lang: lang}, now)
				return err
			}},
			{"assessment json", func(w io.Writer) error {
				return s.Assess(context.Background(), w, api.AssessQuery{Area: "luoyang", Month: "2026-11", Format: "json", Lang: lang}, now)
			}},
			{"now json", func(w io.Writer) error { return s.Now(context.Background(), w, "luoyang", lang, now) }},
		} {
			t.Run(q.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := q.fn(&buf); err != nil {
					t.Fatal(err)
				}
				var v any
				if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
					t.Fatal(err)
				}
				outputs[lang+" "+q.name] = strings.Join(peopleWords(v, ""), "\n")
			})
		}
	}

	marks := regexp.MustCompile(`\b(AQI|IAQI|PM2\.5|PM10|SO₂|NO₂|CO|O₃|MDA8|HJ|GB|CSV|Excel|English|envwatch|µg/m³|mg/m³|mg/L|pp|P90|P95|TP|NH3-N|COD|CODMn|BOD5)\b`)
	english := regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]{2,}`)
	chinese := regexp.MustCompile(`[\p{Han}（），；：、。]+`)
	for name, out := range outputs {
		lang := name[:2]
		text := out
		for _, n := range names {
			text = strings.ReplaceAll(text, n, " ")
		}
		switch lang {
		case "zh":
			text = marks.ReplaceAllString(text, " ")
			if ws := english.FindAllString(text, -1); len(ws) > 0 {
				t.Errorf("%s: English in a Chinese output: %q", name, uniq(ws))
			}
			for _, id := range ids {
				if regexp.MustCompile(`(^|[^A-Za-z_-])` + regexp.QuoteMeta(id) + `($|[^A-Za-z_-])`).MatchString(text) {
					t.Errorf("%s: raw id %q", name, id)
				}
			}
		case "en":
			text = strings.ReplaceAll(text, "中文", " ") // the link to the Chinese page
			if ws := chinese.FindAllString(text, -1); len(ws) > 0 {
				t.Errorf("%s: Chinese in an English output: %q", name, uniq(ws))
			}
		}
	}
}

// peopleWords are the string values of an answer's fields meant for people.
func peopleWords(v any, key string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			out = append(out, peopleWords(c, k)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, peopleWords(c, key)...)
		}
	case string:
		switch {
		case key == "name", key == "status_text", key == "category", key == "basis", key == "reason", key == "excluded",
			strings.HasSuffix(key, "_reason"):
			out = append(out, x)
		}
	}
	return out
}

// pageText is what a reader sees of a page: no markup, style, script or attribute.
func pageText(s string) string {
	s = regexp.MustCompile(`(?s)<style.*?</style>|<script.*?</script>`).ReplaceAllString(s, " ")
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")
	return html.UnescapeString(s)
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	if len(out) > 25 {
		out = out[:25]
	}
	return out
}
