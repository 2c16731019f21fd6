package config

import (
	"fmt"
	"strings"
	"testing"
)

var genStations = []GenStation{
	{Code: "1812A", Name: "市委党校", City: "洛阳市", Latitude: 34.6517, Longitude: 112.3934},
	{Code: "1316A", Name: "烟厂", City: "郑州市", Latitude: 34.7622, Longitude: 113.6843},
	{Code: "1001A", Name: "万寿西宫", City: "北京市", Latitude: 39.8673, Longitude: 116.366},
}

// What is generated loads and validates, for a city, a province and the country.
func TestGenerateLoads(t *testing.T) {
	for _, tc := range []struct {
		name    string
		o       GenOptions
		areas   []string
		ranking string
	}{
		{"city", GenOptions{Cities: []string{"luoyang"}}, []string{"luoyang"}, ""},
		{"province", GenOptions{Provinces: []string{"河南省"}}, []string{"henan", "zhengzhou", "luoyang"}, "{area: henan, rank_by"},
		{"country", GenOptions{Country: true, InfluxURL: "http://127.0.0.1:8086"}, []string{"china", "beijing", "henan", "zhengzhou", "luoyang"}, "{area: china, units: city"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Stations = genStations
			b, err := Generate(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Load("generated.yaml", b)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			var ids []string
			for _, a := range cfg.Areas {
				ids = append(ids, a.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.areas, ",") {
				t.Errorf("areas %v, want %v", ids, tc.areas)
			}
			if !strings.Contains(string(b), tc.ranking) {
				t.Errorf("no %q in\n%s", tc.ranking, b)
			}
			if (cfg.InfluxDB != nil) != (tc.o.InfluxURL != "") {
				t.Errorf("influxdb section %v for url %q", cfg.InfluxDB, tc.o.InfluxURL)
			}
		})
	}
}

// Nothing is guessed: an unknown city of the files, or a selection naming nothing the
// files hold, is an error naming the nearest names.
func TestGenerateRefuses(t *testing.T) {
	for row, tc := range []struct {
		o    GenOptions
		want string
	}{
		{GenOptions{Stations: genStations}, "choose the stations: a city, a province or the whole country"},
		{GenOptions{Stations: genStations, Cities: []string{"洛阳"}}, `city "洛阳": not in the reference table; did you mean 洛阳市?`},
		{GenOptions{Stations: genStations, Provinces: []string{"河北省"}}, "province 河北省: no station of it in the files"},
		{GenOptions{Stations: append(genStations[:1:1], GenStation{Code: "9A", City: "洛杨市"}), Country: true}, `station 9A (): city "洛杨市" is not in the reference table (divisions/cities.csv); did you mean 洛阳市?`},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if _, err := Generate(tc.o); err == nil || err.Error() != tc.want {
				t.Errorf("%+v: error %v, want %q", tc.o, err, tc.want)
			}
		})
	}
}
