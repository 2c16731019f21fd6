package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/envwatch/envwatch/internal/realhours"
	"github.com/envwatch/envwatch/internal/testenv"
)

// chromium is Debian's Chromium, which make test installs (ENVWATCH_CHROMIUM names it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ENVWATCH_CHROMIUM"), "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatal("no Chromium: run `make test`, which installs Debian's chromium, or set ENVWATCH_CHROMIUM")
	return ""
}

// browserLog is what a page did in the browser: its requests and its complaints.
type browserLog struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (l *browserLog) add(list *[]string, s string) {
	l.mu.Lock()
	*list = append(*list, s)
	l.mu.Unlock()
}

func (l *browserLog) reset() (reqs, probs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	reqs, probs = l.requests, l.problems
	l.requests, l.problems = nil, nil
	return reqs, probs
}

// The pages in a real browser, against envwatch run with the real CNEMC hours of Luoyang
// on 1 June 2022 (backfilled) and the simulated demo source of examples/luoyang.yaml, behind
// basic auth: every figure in the DOM equals the API's JSON at its path; no console error,
// no failed request, no request beyond the server; nothing wider than a 1366×768 screen or
// a phone; the print layout is A4 with each section on its own sheet; screenshots and PDFs
// go to the test's artifact directory.
func TestPagesInBrowser(t *testing.T) {
	testenv.Integration(t)
	chrome := chromium(t)
	dir := t.TempDir()
	influxd := influxdFor(t, dir, "envwatch")
	ctx := context.Background()
	archive := filepath.Join(dir, "archive")
	os.MkdirAll(archive, 0o755)
	real := realhours.File()
	os.WriteFile(filepath.Join(archive, "cnemc_luoyang_hourly_20220601.csv"), real, 0o600)
	p := exampleConfig(t, dir, "c.yaml", influxd.URL, "backfill_days: 1100", "backfill_days: 75",
		"\nsources:\n", "\nsources:\n  - name: archive\n    kind: cnemc_csv\n    cnemc_csv: {dir: "+archive+", preset: heqinwill_archive}\n")
	hash, _ := bcrypt.GenerateFromPassword([]byte("page-reader"), bcrypt.MinCost)
	webCfg := filepath.Join(dir, "web.yml")
	os.WriteFile(webCfg, []byte(fmt.Sprintf("basic_auth_users:\n  bureau: %s\n", hash)), 0o600)
	if code, out, errs := runCLI("backfill", "--config", p, "--source", "archive", "--from", "2022-06-01", "--to", "2022-06-01"); code != 0 {
		t.Fatalf("backfill of the real hours: exit %d\n%s\n%s", code, out, errs)
	}

	addr := freeAddr(t)
	base := "http://" + addr
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(rctx, []string{"run", "--config", p, "--web.listen-address", addr, "--web.config.file", webCfg}, nil, io.Discard, logs)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	defer stop()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("bureau:page-reader"))
	fetch := func(url string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	lastMonth := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, -1, 0).Format("2006-01")
	year := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format("2006")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		code, body := fetch(base + "/api/v1/daily?area=luoyang&from=" + lastMonth + "-01&to=" + lastMonth + "-28")
		if code == 200 && bytes.Count(body, []byte(`"has_data": true`)) >= 28 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo backfill did not reach %s: %d %.300s\n%s", lastMonth, code, body, logs.String())
		}
	}
	// The pages need the same authentication as the API.
	if resp, err := http.Get(base + "/pages/today"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /pages/today without credentials: %v %v, want 401", resp, err)
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(filepath.Join(dir, "chromium")))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	var bl browserLog
	if err := chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			bl.add(&bl.requests, ev.Request.URL)
		case *network.EventLoadingFailed:
			bl.add(&bl.problems, "request failed: "+ev.ErrorText)
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				bl.add(&bl.problems, fmt.Sprintf("HTTP %d %s", ev.Response.Status, ev.Response.URL))
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				bl.add(&bl.problems, "console "+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			bl.add(&bl.problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				bl.add(&bl.problems, "log: "+ev.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := enableBrowser(bctx, auth); err != nil {
		t.Fatal(err)
	}
	out := t.ArtifactDir()

	for _, pg := range []struct {
		name, query string
		minFigures  int
		says        []string
	}{
		{"today", "area=luoyang", 40, []string{"今日研判", "实时 AQI", "各站点最新数据", "市委党校"}},
		{"month", "area=luoyang&month=" + lastMonth, 100, []string{"区县排名", "PM2.5 月度生态补偿", "本月逐日 AQI"}},
		{"year", "area=luoyang&year=" + year, 150, []string{"逐日空气质量日历", "数据依据", "黄河大横岭"}},
		// The real hours: one day of 2022 is far from a valid year, and the page says so.
		{"year", "area=luoyang&year=2022&lang=en", 20, []string{"Daily air quality calendar", "insufficient data", "市委党校"}},
		{"month", "area=Luoyang&month=2022-06&lang=en", 10, []string{"Ranking", "Daily AQI of the month"}},
		// A district: its links (the other pages, the exports) keep it.
		{"month", "area=jianxi&month=" + lastMonth, 20, []string{"涧西区"}},
	} {
		url := base + "/pages/" + pg.name + "?" + pg.query
		t.Run(pg.name+"?"+pg.query, func(t *testing.T) {
			bl.reset()
			type figure struct{ Src, Path, Text string }
			type source struct{ Src, Href string }
			load := func(w, h int64, opts ...chromedp.EmulateViewportOption) {
				t.Helper()
				if err := chromedp.Do(bctx, chromedp.EmulateViewport(w, h, opts...), chromedp.Navigate(url), chromedp.WaitReady("footer")); err != nil {
					t.Fatal(err)
				}
			}
			eval := func(js string, v any) {
				t.Helper()
				raw, err := chromedp.Run(bctx, chromedp.Evaluate[json.RawMessage](js))
				if err == nil {
					err = json.Unmarshal(raw, v)
				}
				if err != nil {
					t.Fatalf("%s: %v", js, err)
				}
			}
			load(1366, 768)
			var figures []figure
			var sources []source
			var html string
			var wide, phoneWide bool
			var sections int
			eval(`document.documentElement.outerHTML`, &html)
			// A figure written for people (a time, a date) keeps the API's value in data-value.
			eval(`Array.from(document.querySelectorAll('[data-path]')).map(e => ({Src: e.dataset.api, Path: e.dataset.path, Text: e.dataset.value ?? e.textContent}))`, &figures)
			eval(`Array.from(document.querySelectorAll('link[rel=alternate][data-api]')).map(e => ({Src: e.dataset.api, Href: e.getAttribute('href')}))`, &sources)
			eval(`document.documentElement.scrollWidth > window.innerWidth`, &wide)
			eval(`document.querySelectorAll('main > section').length`, &sections)
			shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
			if err != nil {
				t.Fatal(err)
			}
			name := strings.NewReplacer("=", "-", "&", "_").Replace(pg.name + "_" + pg.query)
			if len(shot) == 0 {
				t.Error("no screenshot")
			}
			os.WriteFile(filepath.Join(out, name+".jpg"), shot, 0o644)
			load(390, 844, chromedp.EmulateMobile)
			eval(`document.documentElement.scrollWidth > window.innerWidth`, &phoneWide)
			// On a phone every figure is on the screen: no cell, card or chart reaches past
			// either edge (a table wider than the screen would hide its AQI, status, rank and
			// amount columns behind a sideways scroll even when the page itself does not).
			var offScreen []string
			eval(`Array.from(document.querySelectorAll('td, th, .card, svg.chart, h1, h2, h3, p')).filter(e => {
				const r = e.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && getComputedStyle(e).display !== 'none' && (r.left < -0.5 || r.right > window.innerWidth + 0.5);
			}).slice(0, 8).map(e => e.tagName + ' ' + (e.dataset.label || '') + ' ' + e.textContent.trim().slice(0, 24))`, &offScreen)
			for _, e := range offScreen {
				t.Errorf("at 390 px off the screen: %s", e)
			}
			var keyCells int
			eval(`document.querySelectorAll('td.num, td[class*="tone-"], td[style]').length`, &keyCells)
			if keyCells == 0 && pg.name != "today" {
				t.Error("no figures in the tables to check at 390 px")
			}
			if phone, err := chromedp.Run(bctx, chromedp.FullScreenshot(80)); err == nil {
				os.WriteFile(filepath.Join(out, name+"_phone.jpg"), phone, 0o644)
			}
			load(1366, 768)
			pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(out, name+".pdf"), pdf, 0o644)

			// The API answers the page read, fetched anew.
			answers := map[string]any{}
			for _, s := range sources {
				code, body := fetch(base + s.Href)
				if code != 200 {
					t.Fatalf("%s: %d %s", s.Href, code, body)
				}
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				var v any
				dec.Decode(&v)
				answers[s.Src] = v
			}
			if len(figures) < pg.minFigures {
				t.Errorf("%d figures tagged, want at least %d", len(figures), pg.minFigures)
			}
			for _, f := range figures {
				v, ok := resolvePath(answers[f.Src], f.Path)
				if !ok {
					t.Errorf("%s %s: not in the API's answer", f.Src, f.Path)
					continue
				}
				if want := jsonText(v); f.Text != want {
					t.Errorf("%s %s: page shows %q, API answers %q", f.Src, f.Path, f.Text, want)
				}
			}
			for _, s := range pg.says {
				if !strings.Contains(html, s) {
					t.Errorf("the page does not say %q", s)
				}
			}
			// Every link to a page or an export keeps the page's area, and answers.
			var links []string
			eval(`Array.from(document.querySelectorAll('a[href^="/pages/"]')).map(a => a.getAttribute('href'))`, &links)
			area := regexp.MustCompile(`area=([^&]+)`).FindStringSubmatch(pg.query)[1]
			for _, l := range links {
				if !strings.Contains(strings.ToLower(l), "area="+strings.ToLower(area)) {
					t.Errorf("link %q loses area=%s", l, area)
					continue
				}
				if code, body := fetch(base + l); code != 200 {
					t.Errorf("link %q: %d %.200s", l, code, body)
				}
			}
			reqs, probs := bl.reset()
			for _, p := range probs {
				t.Errorf("browser: %s", p)
			}
			for _, r := range reqs {
				if !strings.HasPrefix(r, base+"/pages/") {
					t.Errorf("the page requested %s: only itself is allowed", r)
				}
			}
			if wide || phoneWide {
				t.Errorf("wider than the screen: at 1366 px %v, at 390 px %v", wide, phoneWide)
			}
			// Print: A4 (595 × 842 pt), sections flowing on; a month on at most four sheets
			// (the issue found eight).
			sheets := pdfPages(pdf)
			t.Logf("print: %d sheets", sheets)
			if budget := map[string]int{"today": 2, "month": 4, "year": 6}[pg.name]; sheets < 1 || sheets > budget {
				t.Errorf("print: %d sheets, want 1 to %d", sheets, budget)
			}
			if !regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]`).Match(pdf) {
				t.Errorf("print: not A4: %s", regexp.MustCompile(`/MediaBox \[[^\]]*\]`).Find(pdf))
			}
		})
	}

	// The pages' figures (= the API's) are those of /metrics: one snapshot, not two sums.
	// The indicators join /metrics once the background snapshot is computed (a scrape
	// never waits for it): wait for them.
	var metricsBody []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, metricsBody = fetch(base + "/metrics"); strings.Contains(string(metricsBody), `envwatch_air_day_indicator{area="luoyang"`) {
			break
		}
	}
	_, repBody := fetch(base + "/api/v1/report?area=luoyang&format=json&year=" + year)
	var apiRep struct {
		Indicators []struct {
			Indicator string      `json:"indicator"`
			Value     json.Number `json:"value"`
		} `json:"indicators"`
	}
	json.Unmarshal(repBody, &apiRep)
	series := map[string]string{
		"pm2_5_mean": `envwatch_air_mean_grams_per_cubic_meter{area="luoyang",basis="official",period="year_to_date",pollutant="pm2_5",year="` + year + `"}`,
		"pm10_mean":  `envwatch_air_mean_grams_per_cubic_meter{area="luoyang",basis="official",period="year_to_date",pollutant="pm10",year="` + year + `"}`,
		"good_days":  `envwatch_air_day_indicator{area="luoyang",basis="official",indicator="good_days",period="year_to_date",year="` + year + `"}`,
	}
	compared := 0
	for _, in := range apiRep.Indicators {
		name, ok := series[in.Indicator]
		if !ok {
			continue
		}
		api, _ := in.Value.Float64()
		m := metricValue(string(metricsBody), name)
		if strings.HasSuffix(in.Indicator, "_mean") {
			m *= 1e6 // g/m³ → µg/m³
		}
		if math.Abs(m-api) > 1e-6 {
			t.Errorf("%s: API and pages %v, /metrics %v", in.Indicator, api, m)
		}
		compared++
	}
	if compared != len(series) {
		t.Errorf("compared %d of %d indicators with /metrics", compared, len(series))
	}
	stop()

	// Offline, report --format html writes the year page as one file: no navigation or
	// links, and its figures are those of report --format json on the same state.
	code, file, errs := runCLI("report", "--config", p, "--area", "luoyang", "--year", "2022", "--lang", "en", "--format", "html")
	if code != 0 {
		t.Fatalf("report --format html: exit %d: %s", code, errs)
	}
	_, js, _ := runCLI("report", "--config", p, "--area", "luoyang", "--year", "2022", "--lang", "en", "--format", "json")
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var rep any
	dec.Decode(&rep)
	os.WriteFile(filepath.Join(out, "report_2022_en.html"), []byte(file), 0o644)
	if strings.Contains(file, "<nav") || strings.Contains(file, `href="/pages`) || strings.Contains(file, "<script") {
		t.Error("the file links back to the service")
	}
	n := 0
	for _, m := range regexp.MustCompile(`data-api="report" data-path="([^"]*)"(?: data-value="([^"]*)")?>([^<]*)<`).FindAllStringSubmatch(file, -1) {
		v, ok := resolvePath(rep, m[1])
		shown := m[3]
		if m[2] != "" {
			shown = m[2] // written for people; the API's value beside it
		}
		if want := jsonText(v); !ok || htmlText(shown) != want {
			t.Errorf("file: %s shows %q, report --format json has %q", m[1], shown, want)
		}
		n++
	}
	if n < 20 {
		t.Errorf("file: %d report figures, want ≥ 20", n)
	}
}

func htmlText(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'", "&#34;", `"`).Replace(s)
}

// enableBrowser turns on the events the test watches and sends the credentials with
// every request of the page.
func enableBrowser(ctx context.Context, auth string) error {
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}})
	return err
}

// resolvePath follows a page's data-path in an API answer (docs/pages.md): object keys;
// array elements by their indicator, code, unit, month or date, else their index.
func resolvePath(v any, path string) (any, bool) {
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
				key := fmt.Sprint(i)
				if m, ok := e.(map[string]any); ok {
					for _, k := range []string{"indicator", "code", "unit", "month", "date"} {
						if s, ok := m[k].(string); ok && s != "" {
							key = s
							break
						}
					}
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

func jsonText(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case string:
		if x != "" {
			return x
		}
	case bool:
		return fmt.Sprint(x)
	}
	return "—"
}

// pdfPages counts the page objects of a PDF (Chromium writes them uncompressed).
func pdfPages(pdf []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}
