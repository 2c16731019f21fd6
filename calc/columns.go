package calc

import (
	"fmt"
	"sort"
	"strings"

	"github.com/envwatch/envwatch/internal/spelling"
	"github.com/envwatch/envwatch/waterquality"
)

// Headers are matched by meaning, not by spelling: a clerk's sheet says "PM2.5", "pm25",
// "细颗粒物" or "PM2.5(μg/m³)" for the same column. A header is squashed — lower case,
// full-width forms folded, subscripts made digits, a trailing unit in brackets taken
// apart, spaces and _ - . · dropped — and looked up in the table of the names people use
// (docs/calc.md lists them all). A header that looks like a pollutant or a time but is not
// understood stops the run with "did you mean": computing without a column the user meant
// to give is the one mistake a calculator must not make quietly.

// alias is a canonical column and the names it goes by.
type alias struct {
	name  string
	names []string
}

// airAliases are the air calculator's columns.
var airAliases = []alias{
	{"time", []string{"time", "datetime", "date", "timepoint", "时间", "监测时间", "日期", "日期时间", "数据时间", "时段"}},
	{"station", []string{"station", "stationcode", "positionname", "站点", "站点名称", "站点编码", "监测点", "监测站点", "点位", "点位名称"}},
	{"pm2_5", []string{"pm2_5", "pm2.5", "pm25", "细颗粒物"}},
	{"pm10", []string{"pm10", "可吸入颗粒物"}},
	{"so2", []string{"so2", "二氧化硫"}},
	{"no2", []string{"no2", "二氧化氮"}},
	{"co", []string{"co", "一氧化碳"}},
	{"o3", []string{"o3", "o3_1h", "臭氧", "臭氧1小时"}},
	{"o3_8h", []string{"o3_8h", "o3-8h", "臭氧8小时", "臭氧8小时滑动平均", "臭氧日最大8小时", "臭氧日最大8小时平均", "mda8"}},
	{"so2_24h", []string{"so2_24h", "二氧化硫24小时"}},
	{"o3_1h_max", []string{"o3_1h_max", "臭氧日最大1小时", "臭氧1小时最大"}},
}

// airKnownUnused are columns of the national platform's files that calc understands but
// does not use: passed through, said once on stderr.
var airKnownUnused = map[string]string{
	"pm2524h": "the platform's 24-h moving mean", "pm1024h": "the platform's 24-h moving mean",
	"no224h": "the platform's 24-h moving mean", "co24h": "the platform's 24-h moving mean",
	"o324h": "the platform's 24-h maximum", "o38h24h": "the platform's 24-h maximum of the 8-h mean",
	"aqi": "an AQI given with the input (calc computes its own)", "primarypollutant": "given with the input",
	"quality": "given with the input", "level": "given with the input", "category": "given with the input",
	"首要污染物": "given with the input", "空气质量指数": "given with the input", "质量类别": "given with the input",
	"空气质量等级":    "given with the input",
	"longitude": "", "latitude": "", "area": "", "城市": "", "经度": "", "纬度": "",
}

// airUnits are the units a concentration column may carry, by canonical column: the
// standard's unit first; the other is converted exactly.
func airUnit(name, unit string) (scale string, err error) {
	u := squashUnit(unit)
	mg := u == "mg/m3" || u == "毫克/立方米"
	ug := u == "µg/m3" || u == "ug/m3" || u == "微克/立方米"
	switch {
	case u == "":
		return "", nil
	case name == "co" && mg, name != "co" && ug:
		return "", nil
	case name == "co" && ug:
		return "/1000", nil
	case name != "co" && mg:
		return "*1000", nil
	}
	want := "µg/m³"
	if name == "co" {
		want = "mg/m³"
	}
	return "", fmt.Errorf("unit %q not understood: %s is in %s (µg/m³ and mg/m³ are converted)", unit, name, want)
}

// waterAliases are the water calculator's item columns beyond the items' own codes and
// Chinese names.
var waterAliases = map[waterquality.Item][]string{
	waterquality.Temp:    {"temperature", "watertemperature", "温度"},
	waterquality.PH:      {"ph值"},
	waterquality.DO:      {"dissolvedoxygen"},
	waterquality.CODMn:   {"cod_mn", "高锰酸盐", "permanganateindex"},
	waterquality.COD:     {"codcr", "cod_cr"},
	waterquality.BOD5:    {"bod", "bod₅"},
	waterquality.NH3N:    {"nh3-n", "nh3_n", "nh₃-n", "nh4-n", "氨氮(nh3-n)"},
	waterquality.TP:      {"totalphosphorus"},
	waterquality.TN:      {"totalnitrogen"},
	waterquality.Cr6:     {"cr(vi)", "cr6+", "六价铬", "铬（六价）"},
	waterquality.Phenol:  {"volatilephenol", "挥发性酚"},
	waterquality.Oil:     {"petroleum"},
	waterquality.LAS:     {"surfactant"},
	waterquality.FC:      {"fecalcoliform", "粪大肠菌"},
	waterquality.Sulfate: {"so4"},
	waterquality.Nitrate: {"no3-n", "硝酸盐氮"},
}

// waterOther are the water calculator's non-item columns.
var waterOther = []alias{
	{"time", airAliases[0].names},
	{"section", []string{"section", "断面", "断面名称", "点位", "点位名称", "水源地", "站点"}},
	{"body", []string{"body", "水体类型", "类型"}},
}

// squash reduces a header to its matching key and the unit written in brackets after it.
func squash(h string) (key, unit string) {
	h = strings.ToLower(strings.TrimSpace(foldWidth(h)))
	// A unit in brackets at the end: "pm2.5(μg/m³)", "氨氮[mg/L]".
	for _, p := range [][2]string{{"(", ")"}, {"[", "]"}} {
		if strings.HasSuffix(h, p[1]) {
			if i := strings.LastIndex(h, p[0]); i > 0 {
				inner := h[i+1 : len(h)-1]
				if looksLikeUnit(inner) {
					h, unit = strings.TrimSpace(h[:i]), strings.TrimSpace(inner)
				}
			}
			break
		}
	}
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ' || r == '_' || r == '-' || r == '.' || r == '·':
		case r >= '₀' && r <= '₉':
			b.WriteRune('0' + r - '₀')
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), unit
}

// looksLikeUnit tells a unit in brackets from a part of a name ("Cr(VI)").
func looksLikeUnit(s string) bool {
	switch s {
	case "℃", "°c", "无量纲", "ntu", "ppm", "ppb", "%", "mg", "ug", "µg", "μg":
		return true
	}
	return strings.Contains(s, "/") || strings.Contains(s, "µs") || strings.Contains(s, "μs")
}

func squashUnit(u string) string {
	u = strings.ToLower(strings.TrimSpace(foldWidth(u)))
	u = strings.NewReplacer("μ", "µ", "³", "3", " ", "").Replace(u)
	return u
}

// foldWidth turns full-width ASCII forms (（）［］ＰＭ２．５) into their ASCII forms.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - '！' + '!'
		}
		if r == '\u3000' {
			return ' '
		}
		return r
	}, s)
}

// matcher resolves headers against a table of aliases.
type matcher struct {
	byKey map[string]string // squashed alias → canonical name
	names []string          // canonical names, for suggestions
}

func newMatcher(aliases []alias) *matcher {
	m := &matcher{byKey: map[string]string{}}
	for _, a := range aliases {
		m.add(a.name, a.names...)
	}
	return m
}

func (m *matcher) add(name string, names ...string) {
	if !contains(m.names, name) {
		m.names = append(m.names, name)
	}
	for _, n := range append(names, name) {
		k, _ := squash(n)
		m.byKey[k] = name
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// lookup returns the canonical name of a header and its unit.
func (m *matcher) lookup(h string) (name, unit string, ok bool) {
	// "Cr(VI)" is a name, not a name and a unit: try the whole header first.
	whole := strings.NewReplacer(" ", "", "_", "", "-", "", ".", "").Replace(strings.ToLower(foldWidth(strings.TrimSpace(h))))
	if n, ok := m.byKey[whole]; ok {
		return n, "", true
	}
	k, unit := squash(h)
	n, ok := m.byKey[k]
	return n, unit, ok
}

// suggest is the canonical name nearest to a header not understood, and whether the
// header looks like one of them at all (edit distance, or a pollutant's stem).
func (m *matcher) suggest(h string) (string, bool) {
	k, _ := squash(h)
	keys := make([]string, 0, len(m.byKey))
	for a := range m.byKey {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	nearest, bestD := spelling.Nearest(k, keys)
	best := m.byKey[nearest]
	limit := 1
	if len([]rune(k)) >= 5 {
		limit = 2
	}
	return best, bestD <= limit || pollutantStem(k)
}

// pollutantStem: a header that names a pollutant or a time in a way the table lacks.
func pollutantStem(k string) bool {
	for _, p := range []string{"pm", "so2", "no2", "o3", "nh3", "nh4", "cod", "bod", "颗粒物", "二氧化", "一氧化", "臭氧", "氨氮", "总磷", "总氮", "溶解氧", "需氧量", "高锰酸盐", "时间", "日期"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
