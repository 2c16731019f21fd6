package cnemc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// StationInfo is a station as a CNEMC file names it.
type StationInfo struct {
	Code, Name, City    string
	Latitude, Longitude float64
}

// StationList reads the stations a CNEMC file names (columns stationcode, positionname,
// area, longitude, latitude) into into, keyed by code. A station already there must name
// the same city: a code that changed city between two files is an error, never a guess.
func StationList(r io.Reader, name string, into map[string]StationInfo) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading header: %w", name, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF")] = i
	}
	for _, c := range []string{"stationcode", "positionname", "area", "longitude", "latitude"} {
		if _, ok := pos[c]; !ok {
			return fmt.Errorf("%s:1: %w: %q (a station list needs stationcode, positionname, area, longitude, latitude)", name, ErrHeader, c)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return fmt.Errorf("%s:%d: %d fields, the header has %d", name, line, len(rec), len(header))
		}
		s := StationInfo{Code: strings.TrimSpace(rec[pos["stationcode"]]), Name: strings.TrimSpace(rec[pos["positionname"]]),
			City: strings.TrimSpace(rec[pos["area"]])}
		if s.Code == "" || s.City == "" {
			return fmt.Errorf("%s:%d: a station without a code or a city", name, line)
		}
		for col, dst := range map[string]*float64{"longitude": &s.Longitude, "latitude": &s.Latitude} {
			v := strings.TrimSpace(rec[pos[col]])
			if classify(v) != cellValue {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s:%d: column %q: invalid value %q: not a number", name, line, col, v)
			}
			*dst = f
		}
		if prev, ok := into[s.Code]; ok {
			if prev.City != s.City {
				return fmt.Errorf("%s:%d: station %s is in %s here and in %s in an earlier file", name, line, s.Code, s.City, prev.City)
			}
			if s.Latitude == 0 && s.Longitude == 0 {
				continue // keep the coordinates already known
			}
		}
		into[s.Code] = s
	}
}
