// Package divisions holds China's provinces and the prefecture-level cities the national
// air-quality network names (地级市, 地区, 自治州, 盟, and the municipalities and county-level
// cities it reports on their own), with stable ids, so that a configuration for a province
// or the whole country can be written from a CNEMC file, which names a station's city but
// not its province. The table is cities.csv, checked against every city of the live feed
// (docs/configuration.md, "A national configuration").
package divisions

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed cities.csv
var citiesCSV []byte

// Province is a province-level division. A municipality (北京市, 天津市, 上海市, 重庆市)
// is its own only city.
type Province struct {
	Name, ID, NameEN string
	Municipality     bool
}

// City is a city as the feed names it, with its province.
type City struct {
	Name, ID, NameEN string
	Province         *Province
}

// Table is the reference table.
type Table struct {
	Provinces []*Province
	Cities    []*City
	byName    map[string]*City
	province  map[string]*Province
}

// Load returns the table (parsed once; it never changes). An error is a defect of the
// embedded cities.csv, which the tests catch.
var Load = sync.OnceValues(func() (*Table, error) {
	t, err := parse(citiesCSV)
	if err != nil {
		return nil, fmt.Errorf("divisions: cities.csv: %w", err)
	}
	return t, nil
})

func parse(b []byte) (*Table, error) {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	t := &Table{byName: map[string]*City{}, province: map[string]*Province{}}
	for i, r := range recs[1:] {
		if len(r) != 5 {
			return nil, fmt.Errorf("line %d: %d fields, want 5", i+2, len(r))
		}
		p := t.province[r[0]]
		if p == nil {
			p = &Province{Name: r[0], ID: r[1], NameEN: r[2]}
			t.province[r[0]] = p
			t.Provinces = append(t.Provinces, p)
		}
		c := &City{Name: r[3], ID: r[4], NameEN: englishName(r[4], p), Province: p}
		if c.Name == p.Name {
			p.Municipality = true
		}
		if t.byName[c.Name] != nil {
			return nil, fmt.Errorf("line %d: city %s listed twice", i+2, c.Name)
		}
		t.byName[c.Name] = c
		t.Cities = append(t.Cities, c)
	}
	return t, nil
}

// englishName is the city's pinyin id capitalised; a name shared by two cities ("suzhou-js")
// says the province.
func englishName(id string, p *Province) string {
	base, _, shared := strings.Cut(id, "-")
	n := strings.ToUpper(base[:1]) + base[1:]
	if shared {
		n += " (" + p.NameEN + ")"
	}
	return n
}

// City returns the city of a name as the feed writes it.
func (t *Table) City(name string) (*City, bool) {
	c, ok := t.byName[strings.TrimSpace(name)]
	return c, ok
}

// Province returns a province by its name or id, or a municipality.
func (t *Table) Province(name string) (*Province, bool) {
	name = strings.TrimSpace(name)
	if p, ok := t.province[name]; ok {
		return p, true
	}
	for _, p := range t.Provinces {
		if strings.EqualFold(p.ID, name) {
			return p, true
		}
	}
	return nil, false
}

// Suggest lists the names closest to an unknown one (a city or province name typed with
// or without its suffix, or one character off), for "did you mean".
func (t *Table) Suggest(name string) []string {
	name = strings.TrimSpace(name)
	var out []string
	seen := map[string]bool{}
	consider := func(cand string) {
		if seen[cand] {
			return
		}
		r, c := []rune(name), []rune(cand)
		if strings.HasPrefix(cand, name) || strings.HasPrefix(name, cand) || editDistance(r, c) <= 1 {
			seen[cand] = true
			out = append(out, cand)
		}
	}
	for _, p := range t.Provinces {
		consider(p.Name)
	}
	for _, c := range t.Cities {
		consider(c.Name)
	}
	sort.Strings(out)
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
