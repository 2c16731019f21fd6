package divisions

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/internal/cnemcsample"
)

// Every city the live feed names (the sample holds every station of the country) is in
// the table, with its province.
func TestEveryCityOfTheFeedMaps(t *testing.T) {
	tbl, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := cnemcsample.Files()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		recs, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for i, h := range recs[0] {
			if h == "area" {
				col = i
			}
		}
		for _, r := range recs[1:] {
			seen[r[col]] = true
		}
	}
	for name := range seen {
		if _, ok := tbl.City(name); !ok {
			t.Errorf("city %s of the feed is not in the table (did you mean %v)", name, tbl.Suggest(name))
		}
	}
	if len(seen) != 342 {
		t.Errorf("the sample names %d cities, want 342", len(seen))
	}
}

// Ids are unique configuration identifiers; the provinces hold what the bulletins count.
func TestTableShape(t *testing.T) {
	tbl, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ident := regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	ids := map[string]bool{}
	for _, p := range tbl.Provinces {
		if !p.Municipality {
			if ids[p.ID] || !ident.MatchString(p.ID) {
				t.Errorf("province id %q duplicate or malformed", p.ID)
			}
			ids[p.ID] = true
		}
	}
	for _, c := range tbl.Cities {
		if ids[c.ID] || !ident.MatchString(c.ID) {
			t.Errorf("city id %q duplicate or malformed", c.ID)
		}
		ids[c.ID] = true
	}
	count := map[string]int{}
	municipalities := 0
	for _, c := range tbl.Cities {
		count[c.Province.Name]++
	}
	for _, p := range tbl.Provinces {
		if p.Municipality {
			municipalities++
		}
	}
	// Henan's 17 prefecture-level cities and Jiyuan; 31 province-level divisions.
	if count["河南省"] != 18 || len(tbl.Provinces) != 31 || municipalities != 4 {
		t.Errorf("Henan %d cities, %d provinces, %d municipalities; want 18, 31, 4", count["河南省"], len(tbl.Provinces), municipalities)
	}
	if c, _ := tbl.City("苏州市"); c.NameEN != "Suzhou (Jiangsu)" || c.Province.Name != "江苏省" {
		t.Errorf("苏州市: %+v", c)
	}
}

func TestSuggest(t *testing.T) {
	tbl, _ := Load()
	for in, want := range map[string]string{"洛阳": "洛阳市", "河南": "河南省", "洛杨市": "洛阳市"} {
		if got := strings.Join(tbl.Suggest(in), ","); !strings.Contains(got, want) {
			t.Errorf("Suggest(%q) = %q, want it to offer %s", in, got, want)
		}
	}
	if p, ok := tbl.Province("henan"); !ok || p.Name != "河南省" {
		t.Errorf("province by id: %+v %v", p, ok)
	}
}
