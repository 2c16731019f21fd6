// Package check holds the deployment-artefact tests: dashboards against the metrics and
// storage references, PromQL parsed by the real parser (promtool), alert-rule unit tests,
// the Alertmanager configuration (amtool) and the docker-compose files (compose-go).
package check

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

func repo(p ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", ".."}, p...)...)
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p := repo("bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not installed: run `make tools` (%v)", name, err)
	}
	return p
}

type target struct {
	Datasource struct{ Type, UID string } `json:"datasource"`
	Expr       string                     `json:"expr"`
	Query      any                        `json:"query"`
}

type panel struct {
	Title   string   `json:"title"`
	Targets []target `json:"targets"`
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string                     `json:"name"`
			Datasource struct{ Type, UID string } `json:"datasource"`
			Query      any                        `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func loadDashboards(t *testing.T) map[string]dashboard {
	files, err := filepath.Glob(repo("dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	out := map[string]dashboard{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = d
	}
	return out
}

var (
	metricName   = regexp.MustCompile(`\b(envwatch_[a-z0-9_]+)`)
	docMetric    = regexp.MustCompile("`(envwatch_[a-z0-9_]+)`")
	grafanaVar   = regexp.MustCompile(`\$\{?[a-zA-Z_]+\}?`)
	histSuffixes = []string{"_bucket", "_sum", "_count"}
)

func documentedMetrics(t *testing.T) map[string]bool {
	b, err := os.ReadFile(repo("docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range docMetric.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = true
	}
	return out
}

func checkNames(t *testing.T, where, expr string, doc map[string]bool) {
	for _, m := range metricName.FindAllString(expr, -1) {
		base := m
		for _, s := range histSuffixes {
			if strings.HasSuffix(m, s) && doc[strings.TrimSuffix(m, s)] {
				base = strings.TrimSuffix(m, s)
			}
		}
		if !doc[base] {
			t.Errorf("%s: %s is not in docs/metrics.md", where, m)
		}
	}
}

// promtoolParse checks PromQL expressions with Prometheus's own parser (promtool check
// rules on generated recording rules), without importing Prometheus into the module.
func promtoolParse(t *testing.T, exprs map[string]string) {
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard-queries\n    rules:\n")
	keys := make([]string, 0, len(exprs))
	for k := range exprs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		q, _ := json.Marshal(exprs[k])
		fmt.Fprintf(&b, "      - record: dashboard:query_%d\n        expr: %s\n", i, q)
	}
	f := filepath.Join(t.TempDir(), "queries.yml")
	os.WriteFile(f, []byte(b.String()), 0o644)
	out, err := exec.Command(tool(t, "promtool"), "check", "rules", f).CombinedOutput()
	if err != nil {
		t.Errorf("promtool rejects a dashboard query: %v\n%s\nqueries: %v", err, out, keys)
	}
}

func TestDashboardQueries(t *testing.T) {
	doc := documentedMetrics(t)
	storage, err := os.ReadFile(repo("docs", "storage.md"))
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for file, d := range loadDashboards(t) {
		if d.UID == "" || !strings.Contains(d.Title, "·") {
			t.Errorf("%s: needs a uid and a bilingual title (中文 · English), got %q", file, d.Title)
		}
		for _, p := range d.Panels {
			if !regexp.MustCompile(`\p{Han}`).MatchString(p.Title) || !regexp.MustCompile(`[A-Za-z]{3}`).MatchString(p.Title) {
				t.Errorf("%s: panel %q: titles carry Chinese and English", file, p.Title)
			}
			for _, tg := range p.Targets {
				where := file + ": " + p.Title
				switch tg.Datasource.Type {
				case "prometheus":
					if tg.Datasource.UID != "envwatch-prometheus" {
						t.Errorf("%s: datasource uid %q, want the provisioned envwatch-prometheus", where, tg.Datasource.UID)
					}
					exprs[where+" "+tg.Expr] = grafanaVar.ReplaceAllString(tg.Expr, "x")
					checkNames(t, where, tg.Expr, doc)
				case "influxdb":
					if tg.Datasource.UID != "envwatch-influxdb" {
						t.Errorf("%s: datasource uid %q, want envwatch-influxdb", where, tg.Datasource.UID)
					}
					checkInfluxQL(t, where, fmt.Sprint(tg.Query), string(storage))
				default:
					t.Errorf("%s: unknown datasource type %q", where, tg.Datasource.Type)
				}
			}
		}
		for _, v := range d.Templating.List {
			if v.Datasource.Type == "influxdb" {
				checkInfluxQL(t, file+": variable "+v.Name, fmt.Sprint(v.Query), string(storage))
			}
		}
	}
	if len(exprs) < 20 {
		t.Errorf("only %d Prometheus queries found", len(exprs))
	}
	promtoolParse(t, exprs)
}

var (
	influxFrom   = regexp.MustCompile(`FROM\s+"([^"]+)"`)
	influxQuoted = regexp.MustCompile(`(AS\s+)?"([^"]+)"`)
	storageHead  = regexp.MustCompile("(?m)^#{2,3} `([a-z_0-9]+)`")
	storageRow   = regexp.MustCompile("(?m)^\\| (tag|field) \\| (.+?) \\|")
	storageNames = regexp.MustCompile("`([^`]+)`")
)

// storageSchema reads docs/storage.md into measurement → its tags and fields: each
// "## `name`" or "### `name`" heading opens a measurement, each "| tag |" or "| field |"
// row of its table names keys (a "<pollutant>_flag" pattern is kept as written).
func storageSchema(storage string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	heads := storageHead.FindAllStringSubmatchIndex(storage, -1)
	for i, h := range heads {
		name := storage[h[2]:h[3]]
		end := len(storage)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		keys := map[string]bool{}
		for _, row := range storageRow.FindAllStringSubmatch(storage[h[1]:end], -1) {
			for _, k := range storageNames.FindAllStringSubmatch(row[2], -1) {
				keys[k[1]] = true
			}
		}
		out[name] = keys
	}
	return out
}

// checkInfluxQL requires the measurement an InfluxQL query reads to be in docs/storage.md
// and every tag and field it names (not its AS aliases) to be one of that measurement's.
func checkInfluxQL(t *testing.T, where, q, storage string) {
	if !strings.Contains(q, "FROM") {
		t.Errorf("%s: InfluxQL without FROM: %s", where, q)
	}
	schema := storageSchema(storage)
	froms := influxFrom.FindAllStringSubmatch(q, -1)
	for _, m := range froms {
		if _, ok := schema[m[1]]; !ok {
			t.Errorf("%s: measurement %q is not in docs/storage.md", where, m[1])
		}
	}
	for _, m := range influxQuoted.FindAllStringSubmatch(q, -1) {
		if m[1] != "" {
			continue // an alias
		}
		name, known := m[2], false
		for _, f := range froms {
			if name == f[1] || schema[f[1]][name] {
				known = true
			}
		}
		if !known {
			t.Errorf("%s: %q is not a tag or field of %v in docs/storage.md", where, name, froms)
		}
	}
}

func TestStorageSchemaParsed(t *testing.T) {
	b, err := os.ReadFile("../../docs/storage.md")
	if err != nil {
		t.Fatal(err)
	}
	s := storageSchema(string(b))
	for m, keys := range map[string][]string{"air_hourly": {"station", "area", "pm2_5", "co", "aqi", "aqi_primary"}, "air_daily": {"scope", "aqi", "o3_8h", "valid"},
		"air_monthly": {"area", "pm2_5", "good_days"}, "water_period": {"section", "class_name", "target_met"}} {
		for _, k := range keys {
			if !s[m][k] {
				t.Errorf("docs/storage.md: %s lacks %s (parsed %v)", m, k, s[m])
			}
		}
	}
	if s["air_daily"]["class_name"] {
		t.Error("a water field was read into air_daily")
	}
}

func TestAlertRules(t *testing.T) {
	promtool := tool(t, "promtool")
	rules := repo("dashboards", "alerts", "envwatch.rules.yml")
	if out, err := exec.Command(promtool, "check", "rules", rules).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	cmd := exec.Command(promtool, "test", "rules", "envwatch.rules.test.yml")
	cmd.Dir = repo("dashboards", "alerts")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	// Every alert has a unit test that fires it, and names only documented metrics.
	b, _ := os.ReadFile(rules)
	tests, _ := os.ReadFile(repo("dashboards", "alerts", "envwatch.rules.test.yml"))
	doc := documentedMetrics(t)
	for _, m := range regexp.MustCompile(`(?m)^\s+- alert: (\w+)`).FindAllStringSubmatch(string(b), -1) {
		if n := strings.Count(string(tests), "alertname: "+m[1]+"\n"); n < 2 {
			t.Errorf("alert %s has %d test cases, want a firing and a silent one", m[1], n)
		}
		if !strings.Contains(string(b), "#"+strings.ToLower(m[1])) {
			t.Errorf("alert %s has no runbook link", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^\s+expr: \|?\n?((?:.+\n)+?)\s+(?:for|labels):`).FindAllStringSubmatch(string(b), -1) {
		checkNames(t, "rules", m[1], doc)
	}
	runbook, _ := os.ReadFile(repo("docs", "runbook.md"))
	for _, a := range regexp.MustCompile(`runbook\.md#(\w+)`).FindAllStringSubmatch(string(b), -1) {
		if !strings.Contains(strings.ToLower(string(runbook)), "## "+a[1]) && !strings.Contains(string(runbook), "{#"+a[1]+"}") {
			t.Errorf("docs/runbook.md has no section for #%s", a[1])
		}
	}
}

func TestAlertmanagerConfig(t *testing.T) {
	out, err := exec.Command(tool(t, "amtool"), "check-config", repo("dashboards", "alertmanager", "alertmanager.yml")).CombinedOutput()
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(repo("dashboards", "alertmanager", "alertmanager.yml"))
	for _, want := range []string{"wechat_configs", "webhook_configs", "inhibit_rules", `alertname="AirMeanTargetMissed"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("alertmanager.yml lacks %s", want)
		}
	}
}

// The city overview's status light, evaluated by Prometheus's engine (promtool test rules)
// on the exposition's shape — one envwatch_target_status series per status, 1 for the
// current one: each indicator shows its status's number, which the panel's value mappings
// name and colour.
func TestStatusLightEvaluates(t *testing.T) {
	var expr string
	var mappings map[string]struct{ Text, Color string }
	b, err := os.ReadFile(repo("dashboards", "city-overview.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title       string
			FieldConfig struct {
				Defaults struct {
					Mappings []struct {
						Options map[string]struct{ Text, Color string }
					}
				}
			}
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Panels {
		if strings.Contains(p.Title, "Target status") && len(p.Targets) == 1 && len(p.FieldConfig.Defaults.Mappings) == 1 {
			expr, mappings = strings.ReplaceAll(p.Targets[0].Expr, "$area", "luoyang"), p.FieldConfig.Defaults.Mappings[0].Options
		}
	}
	if expr == "" {
		t.Fatal("no target-status panel with one query and value mappings in city-overview.json")
	}
	statuses := []string{"met", "on_track", "at_risk", "unlikely", "missed", "insufficient_data"}
	current := map[string]string{"pm2_5_mean": "unlikely", "good_days": "on_track", "o3_exceedance_days": "missed", "composite_index": "at_risk"}
	var series strings.Builder
	for ind, cur := range current {
		for _, st := range statuses {
			v := "0x5"
			if st == cur {
				v = "1x5"
			}
			fmt.Fprintf(&series, "      - series: 'envwatch_target_status{area=\"luoyang\",indicator=%q,year=\"2026\",status=%q}'\n        values: '%s'\n", ind, st, v)
		}
	}
	// Another area's statuses stay out.
	fmt.Fprintf(&series, "      - series: 'envwatch_target_status{area=\"xigong\",indicator=\"pm2_5_mean\",year=\"2026\",status=\"met\"}'\n        values: '1x5'\n")
	want := map[string]struct{ text, colour string }{
		"unlikely": {"难以完成", "red"}, "on_track": {"进度正常", "green"}, "missed": {"已无法完成", "red"}, "at_risk": {"存在风险", "orange"},
	}
	var exp strings.Builder
	for ind, cur := range current {
		var code string
		for k, m := range mappings {
			if strings.HasPrefix(m.Text, want[cur].text) {
				code = k
				if !strings.Contains(m.Color, want[cur].colour) {
					t.Errorf("status %s is coloured %q, want %s", cur, m.Color, want[cur].colour)
				}
			}
		}
		if code == "" {
			t.Fatalf("no value mapping says %s (%s): %v", want[cur].text, cur, mappings)
		}
		fmt.Fprintf(&exp, "          - labels: '{indicator=%q}'\n            value: %s\n", ind, code)
	}
	q, _ := json.Marshal(expr)
	test := "rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + series.String() +
		"    promql_expr_test:\n      - expr: " + string(q) + "\n        eval_time: 2m\n        exp_samples:\n" + exp.String()
	f := filepath.Join(t.TempDir(), "light.test.yml")
	if err := os.WriteFile(f, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "promtool"), "test", "rules", f).CombinedOutput(); err != nil {
		t.Errorf("the status light evaluates wrongly: %v\n%s", err, out)
	}
}

// panelExprs returns the PromQL of a dashboard's panel by title fragment, with $area set.
func panelExprs(t *testing.T, file, title string) []string {
	t.Helper()
	b, err := os.ReadFile(repo("dashboards", file))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title       string
			FieldConfig struct {
				Defaults struct {
					Thresholds struct {
						Steps []struct{ Value *float64 }
					}
				}
			}
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range d.Panels {
		if strings.Contains(p.Title, title) {
			for _, tg := range p.Targets {
				out = append(out, strings.ReplaceAll(tg.Expr, "$area", "luoyang"))
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no panel titled %q", file, title)
	}
	return out
}

// promEval evaluates exprs on input series with promtool's engine and compares the samples.
func promEval(t *testing.T, series string, tests map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + series + "    promql_expr_test:\n")
	for expr, samples := range tests {
		t.Run(fmt.Sprint(expr), func(t *testing.T) {
			q, _ := json.Marshal(expr)
			fmt.Fprintf(&b, "      - expr: %s\n        eval_time: 1m\n        exp_samples:%s\n", q, samples)
		})
	}
	f := filepath.Join(t.TempDir(), "eval.test.yml")
	os.WriteFile(f, []byte(b.String()), 0o644)
	if out, err := exec.Command(tool(t, "promtool"), "test", "rules", f).CombinedOutput(); err != nil {
		t.Errorf("%v\n%s\n%s", err, out, b.String())
	}
}

// Air targets compares with last year only where last year's statistic is valid, and ranks
// the area's units without the area itself; station detail draws the limits of both
// GB 3095 editions where the 2026 one changed them.
func TestDashboardsInStep(t *testing.T) {
	last := panelExprs(t, "air-targets.json", "PM2.5 年均")[1]
	good := panelExprs(t, "air-targets.json", "Good days")[1]
	rank := panelExprs(t, "air-targets.json", "District ranking")[0]
	series := `      - series: 'envwatch_air_mean_grams_per_cubic_meter{area="luoyang",pollutant="pm2_5",year="2026",period="same_period_last_year",basis="official"}'
        values: '4e-05x3'
      - series: 'envwatch_indicator_valid{area="luoyang",indicator="pm2_5_mean",year="2026",period="same_period_last_year"}'
        values: '0x3'
      - series: 'envwatch_air_day_indicator{area="luoyang",indicator="good_days",year="2026",period="same_period_last_year",basis="official"}'
        values: '200x3'
      - series: 'envwatch_indicator_valid{area="luoyang",indicator="good_days",year="2026",period="same_period_last_year"}'
        values: '1x3'
      - series: 'envwatch_air_mean_grams_per_cubic_meter{area="luoyang",pollutant="pm2_5",year="2026",period="year_to_date",basis="official"}'
        values: '5e-05x3'
      - series: 'envwatch_air_mean_grams_per_cubic_meter{area="xigong",pollutant="pm2_5",year="2026",period="year_to_date",basis="official"}'
        values: '6e-05x3'
      - series: 'envwatch_area_info{area="luoyang",name="洛阳市",name_en="Luoyang",kind="city",parent=""}'
        values: '1x3'
      - series: 'envwatch_area_info{area="xigong",name="西工区",name_en="Xigong",kind="district",parent="luoyang"}'
        values: '1x3'
`
	promEval(t, series, map[string]string{
		last: " []", // invalid last year: no comparison line
		good: "\n          - labels: '{__name__=\"envwatch_air_day_indicator\",area=\"luoyang\",basis=\"official\",indicator=\"good_days\",period=\"same_period_last_year\",year=\"2026\"}'\n            value: 200",
		rank: "\n          - labels: '{area=\"xigong\",basis=\"official\",name=\"西工区\",period=\"year_to_date\",pollutant=\"pm2_5\",year=\"2026\"}'\n            value: 60",
	})
	b, _ := os.ReadFile(repo("dashboards", "station-detail.json"))
	for _, want := range []string{`"value": 60`, `"value": 75`, `"value": 120`, `"value": 150`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("station-detail.json: no limit line %s", want)
		}
	}
}

// The import copies (deploy/grafana-import) ask for their data sources on import: every
// ${DS_…} they use is declared in __inputs, and no provisioned uid is left.
func TestImportCopies(t *testing.T) {
	files, _ := filepath.Glob(repo("deploy", "grafana-import", "*.json"))
	if len(files) != len(loadDashboards(t)) {
		t.Fatalf("%d import copies for %d dashboards", len(files), len(loadDashboards(t)))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var d struct {
			Inputs []struct{ Name, Type, PluginID string } `json:"__inputs"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		declared := map[string]bool{}
		for _, in := range d.Inputs {
			declared[in.Name] = in.Type == "datasource"
		}
		for _, m := range regexp.MustCompile(`\$\{(DS_[A-Z]+)\}`).FindAllStringSubmatch(string(b), -1) {
			if !declared[m[1]] {
				t.Errorf("%s: ${%s} used but not in __inputs", filepath.Base(f), m[1])
			}
		}
		if strings.Contains(string(b), `"envwatch-prometheus"`) || strings.Contains(string(b), `"envwatch-influxdb"`) {
			t.Errorf("%s: a provisioned data source uid is left", filepath.Base(f))
		}
	}
}
