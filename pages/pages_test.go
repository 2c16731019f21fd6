package pages

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// fakeAPI answers from testdata/api: the API's own answers, served as files.
func fakeAPI(t *testing.T) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/api/v1/")
		q := r.URL.Query()
		if (name == "report" && q.Get("year") != "2026") || (name != "sites" && q.Get("area") != "" && q.Get("area") != "luoyang") {
			http.Error(w, "no data for 洛阳市 (luoyang) in "+q.Get("year"), http.StatusNotFound)
			return
		}
		b, err := os.ReadFile("testdata/api/" + name + ".json")
		if err != nil {
			http.Error(w, "no such endpoint", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
}

func newHandler(t *testing.T) *Handler {
	return &Handler{API: fakeAPI(t), DefaultArea: "luoyang", Now: func() time.Time { return time.Date(2026, 12, 1, 16, 40, 0, 0, time.UTC) }}
}

func get(t *testing.T, h http.Handler, url string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

// resolve finds path in a decoded answer by the rule documented in docs/pages.md: object
// keys, and array elements by their indicator, code, unit, month or date, else index.
func resolve(v any, path string) (any, bool) {
	for _, seg := range strings.Split(path, "/") {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			found := false
			for i, e := range x {
				key := ""
				if m, ok := e.(map[string]any); ok {
					for _, k := range []string{"indicator", "code", "unit", "month", "date"} {
						if s, ok := m[k].(string); ok && s != "" {
							key = s
							break
						}
					}
				}
				if key == "" {
					key = strconv.Itoa(i)
				}
				if key == seg {
					v, found = e, true
					break
				}
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return v, true
}

func asText(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case json.Number:
		return x.String()
	case string:
		if x == "" {
			return "—" // an empty text shows as a dash, like null
		}
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return "?"
}

var figure = regexp.MustCompile(`data-api="([a-z]+)" data-path="([^"]*)"(?: data-value="([^"]*)")?>([^<]*)<`)

// checkFigures asserts every tagged figure of a page equals its API answer; it returns
// how many it checked.
func checkFigures(t *testing.T, html string) int {
	t.Helper()
	answers := map[string]any{}
	for _, name := range []string{"now", "report", "daily", "assessment"} {
		b, _ := os.ReadFile("testdata/api/" + name + ".json")
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		dec.Decode(&v)
		answers[name] = v
	}
	n := 0
	for _, m := range figure.FindAllStringSubmatch(html, -1) {
		v, ok := resolve(answers[m[1]], unescape(m[2]))
		if !ok {
			t.Errorf("%s %s: not in the API answer", m[1], m[2])
			continue
		}
		// A figure written for people keeps the API's value in data-value.
		shownValue := m[4]
		if m[3] != "" {
			shownValue = m[3]
		}
		if want := asText(v); unescape(shownValue) != want {
			t.Errorf("%s %s: page shows %q, API has %q", m[1], m[2], shownValue, want)
		}
		n++
	}
	return n
}

func unescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'", "&#34;", `"`).Replace(s)
}

func TestPagesShowTheAPIsFigures(t *testing.T) {
	h := newHandler(t)
	for row, tc := range []struct {
		url  string
		min  int      // figures at least: every table row is tagged
		want []string // words the page must say
	}{
		{"/pages/today", 50, []string{"今日研判", "实时 AQI", "河南林校", "数据滞后", "out_of_range", "目标进度（2026）", "今日累计 AQI（暂定，已有 23 小时）",
			`<td>O₃ 8小时</td><td class="num">—</td><td class="num"><span class="fig" data-api="now" data-path="today/iaqi/o3_8h">20</span></td>`,
			`data-path="hour/end" data-value="2026-12-01T23:00:00&#43;08:00">12月1日 23时</span>`}},
		{"/pages/today?lang=en", 50, []string{"Today", "Real-time AQI", "stale", "Good", "Today so far (provisional, 23 hours)"}},
		{"/pages/month?month=2026-11", 100, []string{"月度考核", "区县排名", "生态补偿 · PM2.5 月度生态补偿", "本月逐日 AQI", "轻度污染", "时段内无有效天"}},
		{"/pages/year?year=2026", 200, []string{"年度报告", "逐日空气质量日历", "地表水断面与饮用水水源地", "数据依据", "HJ 633"}},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			code, body, hdr := get(t, h, tc.url)
			if !strings.HasPrefix(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("%s: no content security policy: %q", tc.url, hdr.Get("Content-Security-Policy"))
			}
			if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d %s\n%s", tc.url, code, hdr.Get("Content-Type"), body)
			}
			if n := checkFigures(t, body); n < tc.min {
				t.Errorf("%s: %d figures tagged, want at least %d", tc.url, n, tc.min)
			}
			plain := noLabels.ReplaceAllString(body, "")
			for _, w := range tc.want {
				if !strings.Contains(plain, w) {
					t.Errorf("%s: page does not say %q", tc.url, w)
				}
			}
			// Nothing leaves the server: no absolute URL but the SVG namespace, no script.
			rest := strings.ReplaceAll(body, `xmlns="http://www.w3.org/2000/svg"`, "")
			if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") || strings.Contains(rest, "<script") {
				t.Errorf("%s: the page refers outside itself or runs script", tc.url)
			}
			// Every chart is well-formed SVG.
			for _, svg := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1) {
				if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
					t.Errorf("%s: chart is not well-formed: %v", tc.url, err)
				}
			}
		})
	}
}

// noLabels removes the cells' column names (data-label, for the phone's cards).
var noLabels = regexp.MustCompile(` data-label="[^"]*"`)

// Every cell carries its column's name, which a phone shows beside the figure.
func TestCellsCarryTheirColumn(t *testing.T) {
	_, body, _ := get(t, newHandler(t), "/pages/month?month=2026-11")
	for _, table := range regexp.MustCompile(`(?s)<table data-table="[^"]+">.*?</table>`).FindAllString(body, -1) {
		var heads []string
		for _, m := range regexp.MustCompile(`<th scope="col">(.*?)</th>`).FindAllStringSubmatch(table, -1) {
			heads = append(heads, m[1])
		}
		for _, tr := range regexp.MustCompile(`(?s)<tr>(<td.*?)</tr>`).FindAllStringSubmatch(table, -1) {
			cells := regexp.MustCompile(`<td data-label="([^"]*)"`).FindAllStringSubmatch(tr[1], -1)
			if len(cells) != len(heads) || strings.Count(tr[1], "<td") != len(heads) {
				t.Fatalf("a row of %d cells (%d labelled) under %d columns: %s", strings.Count(tr[1], "<td"), len(cells), len(heads), tr[1])
			}
			for i, c := range cells {
				if c[1] != heads[i] {
					t.Errorf("cell %d labelled %q under column %q", i, c[1], heads[i])
				}
			}
		}
	}
}

// A level is never carried by colour alone: a coloured cell holds its AQI and its category.
func TestLevelsHaveTextBesideColour(t *testing.T) {
	_, body, _ := get(t, newHandler(t), "/pages/month?month=2026-11")
	body = noLabels.ReplaceAllString(body, "")
	// 3 November 2026: AQI 103 (daily.json), level 3, orange #FF7E00 of HJ 633 Appendix A.
	row := regexp.MustCompile(`<tr><td><span class="fig" data-api="daily" data-path="2026-11-03/date" data-value="2026-11-03">11月3日</span></td>(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil {
		t.Fatal("no row for 2026-11-03 in the daily table")
	}
	for _, w := range []string{"background:#FF7E00", ">103<", ">轻度污染<"} {
		if !strings.Contains(row[1], w) {
			t.Errorf("2026-11-03 row lacks %q: %s", w, row[1])
		}
	}
	if !strings.Contains(body, `<title>2026-11-03 AQI 103 轻度污染</title>`) {
		t.Error("the strip's day does not name its level")
	}
}

func TestMissingDataIsSaid(t *testing.T) {
	h := newHandler(t)
	// Said plainly, in the page's language: not the API's English error beside the words.
	for url, want := range map[string]string{"/pages/year?year=2024": "洛阳市 2024 年暂无数据。", "/pages/year?year=2024&lang=en": "No data for Luoyang in 2024."} {
		_, body, _ := get(t, h, url)
		if !strings.Contains(body, want) || strings.Contains(body, "no data for") || strings.Contains(body, "(luoyang)") {
			t.Errorf("%s: a year without data is not said as %q:\n%s", url, want, body)
		}
	}
	if code, _, _ := get(t, h, "/pages/year?area=nowhere"); code != http.StatusNotFound {
		t.Errorf("unknown area: %d, want 404", code)
	}
	if code, _, _ := get(t, h, "/pages/month?month=2026-13"); code != http.StatusBadRequest {
		t.Errorf("bad month: %d, want 400", code)
	}
	if code, _, _ := get(t, h, "/pages/year.csv?table=nosuch"); code != http.StatusNotFound {
		t.Errorf("unknown table: %d, want 404", code)
	}
}

// The Excel workbook holds the CSV's values, sheet by sheet, with the same Chinese headers.
func TestExcelHoldsTheCSVValues(t *testing.T) {
	h := newHandler(t)
	for _, page := range []string{"year?year=2026", "month?month=2026-11", "today"} {
		kind, query, _ := strings.Cut(page, "?")
		code, body, hdr := get(t, h, "/pages/"+kind+".xlsx?"+query)
		if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%s.xlsx: %d %s", kind, code, body)
		}
		f, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.Build(t.Context(), kind, mustQuery(query), false)
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		i := 0
		for _, tb := range p.tables() {
			if len(tb.Rows) == 0 {
				continue
			}
			_, csvBody, hdr := get(t, h, "/pages/"+kind+".csv?"+query+"&table="+tb.Name)
			// Excel on Chinese Windows needs the BOM; the file is named with its period.
			if !strings.HasPrefix(csvBody, "\uFEFF") {
				t.Errorf("%s %s: CSV without a byte-order mark", kind, tb.Name)
			}
			if cd := hdr.Get("Content-Disposition"); !strings.Contains(cd, "-"+p.Period+"-"+tb.Name+".csv") || p.Period == "" {
				t.Errorf("%s %s: file name %q lacks the period %q", kind, tb.Name, cd, p.Period)
			}
			want, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\uFEFF"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows(sheets[i])
			if err != nil {
				t.Fatal(err)
			}
			i++
			if len(rows) != len(want) {
				t.Fatalf("%s %s: %d rows in Excel, %d in CSV", kind, tb.Name, len(rows), len(want))
			}
			for r := range want {
				for c := range want[r] {
					got := ""
					if c < len(rows[r]) {
						got = rows[r][c]
					}
					if got != want[r][c] {
						t.Errorf("%s %s row %d col %d: Excel %q, CSV %q", kind, tb.Name, r, c, got, want[r][c])
					}
				}
			}
		}
		if i != len(sheets) || i == 0 {
			t.Errorf("%s: %d sheets, %d tables", kind, len(sheets), i)
		}
	}
	// Headers are Chinese by default; a published 35.0 stays 35.0 as a number.
	_, body, _ := get(t, h, "/pages/year.csv?year=2026&table=monthly")
	if !strings.HasPrefix(body, "\uFEFF月份,PM2.5（微克/立方米）") {
		t.Errorf("monthly CSV header: %q", strings.SplitN(body, "\n", 2)[0])
	}
}

func mustQuery(q string) map[string][]string {
	out := map[string][]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = []string{v}
		}
	}
	return out
}

func TestNumberKeepsPublishedDecimals(t *testing.T) {
	for row, tc := range []struct {
		c    Cell
		x    float64
		dec  int
		isNo bool
	}{
		{Cell{Text: "35.0", Num: true}, 35, 1, true},
		{Cell{Text: "-3", Num: true}, -3, 0, true},
		{Cell{Text: "5.26", Num: true}, 5.26, 2, true},
		{Cell{Text: "—", Num: true, Missing: true}, 0, 0, false},
		{Cell{Text: "1812A"}, 0, 0, false},
		{Cell{Text: "49", Num: true, Note: "≤"}, 0, 0, false},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			x, dec, ok := number(tc.c)
			if ok != tc.isNo || (ok && (x != tc.x || dec != tc.dec)) {
				t.Errorf("number(%q) = %v %d %v", tc.c.Text, x, dec, ok)
			}
		})
	}
}

// Without a month the page shows the last complete one (the clock is 2 December 00:40 in
// Shanghai: November), with links to October and to the running month, provisional.
func TestMonthDefaultsToLastCompleteMonth(t *testing.T) {
	_, body, _ := get(t, newHandler(t), "/pages/month")
	for _, want := range []string{"<title>洛阳市 · 月度考核 · 2026-11</title>", `month=2026-10">上月</a>`, `month=2026-12">本月（暂定）</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("month page lacks %s", want)
		}
	}
	if strings.Contains(body, "下月") {
		t.Error("a link to the next month, which is the running one")
	}
}

// A stale newest hour — five months old after a start on an old archive, or an outage — is
// greyed and says how old it is; a fresh one is in its level's colour without a notice.
func TestStaleHeadlineGreyed(t *testing.T) {
	b, err := os.ReadFile("testdata/api/now.json")
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(strings.Replace(string(b), `"age_seconds": 2179,
    "stale": false,
    "stations": 10,`, `"age_seconds": 13219200,
    "stale": true,
    "stations": 10,`, 1), `"today": {`, `"today_was": {`, 1)
	if stale == string(b) {
		t.Fatal("fixture shape changed: the hour's age was not replaced")
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/now") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(stale))
			return
		}
		fakeAPI(t).ServeHTTP(w, r)
	})
	h := &Handler{API: api, DefaultArea: "luoyang", Now: func() time.Time { return time.Date(2026, 12, 1, 16, 40, 0, 0, time.UTC) }}
	_, body, _ := get(t, h, "/pages/today")
	fill, _ := levelFill(0)
	if !strings.Contains(body, `<div class="card stale">`) || !strings.Contains(body, "数据已 3672 小时未更新") ||
		!strings.Contains(body, `style="background:`+fill) || strings.Contains(body, "今日累计 AQI") {
		t.Errorf("stale headline not greyed with its age, or a today card without today:\n%s", body)
	}
	_, body, _ = get(t, newHandler(t), "/pages/today")
	if strings.Contains(body, "card stale") || strings.Contains(body, "未更新") {
		t.Errorf("a fresh hour is greyed")
	}
}

// A page refuses what it cannot honour instead of answering another question.
func TestPageParametersChecked(t *testing.T) {
	h := newHandler(t)
	for url, want := range map[string]string{
		"/pages/year?year=abc":                                 `year "abc": want a year between 2000 and 2100`,
		"/pages/year?year=1900":                                `year "1900"`,
		"/pages/today?lang=fr":                                 `lang "fr": want zh or en`,
		"/pages/month?month=2026-13":                           `month "2026-13": want YYYY-MM`,
		"/pages/today?station=1812A":                           `unknown parameter "station"`,
		"/pages/month.csv?month=2026-11&table=ranking&table=x": `parameter "table" given 2 times`,
	} {
		code, body, _ := get(t, h, url)
		if code != 400 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %q, want 400 %q", url, code, body, want)
		}
	}
}

// Every link of a page keeps its area and leads somewhere: the navigation to the other
// pages and the exports, followed, answer 200 (an escaped ?area%3d… would lose the area).
func TestPageLinksKeepTheirArea(t *testing.T) {
	h := newHandler(t)
	_, body, _ := get(t, h, "/pages/month?area=luoyang&month=2026-11")
	links := regexp.MustCompile(`href="(/pages/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(links) < 6 {
		t.Fatalf("%d links", len(links))
	}
	for _, l := range links {
		href := html.UnescapeString(l[1])
		if !strings.Contains(href, "area=luoyang") || strings.Contains(href, "%3d") || strings.Contains(href, "%3D") {
			t.Errorf("link %q does not carry area=luoyang", href)
			continue
		}
		if code, b, _ := get(t, h, href); code != 200 {
			t.Errorf("link %q: %d %s", href, code, b)
		}
	}
}
