package influx

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// Reader reads raw readings back with InfluxQL over the v1 /query endpoint, which InfluxDB
// 1.8, 2.x (v1 compatibility) and 3.x all serve — Flux is not available on 3.x.
type Reader struct {
	URL, Database, RetentionPolicy string
	// Token is "user:password" (1.8) or an API token (2.x/3.x).
	Token  string
	Client *http.Client
}

type qResult struct {
	Results []struct {
		Series []struct {
			Columns []string `json:"columns"`
			Values  [][]any  `json:"values"`
		} `json:"series"`
		Error string `json:"error"`
	} `json:"results"`
	Error string `json:"error"`
}

func (r *Reader) query(ctx context.Context, q string) (*qResult, error) {
	form := url.Values{"q": {q}, "db": {r.Database}, "epoch": {"s"}}
	if r.RetentionPolicy != "" {
		form.Set("rp", r.RetentionPolicy)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.URL, "/")+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if u, p, ok := strings.Cut(r.Token, ":"); ok {
		req.SetBasicAuth(u, p)
	} else if r.Token != "" {
		req.Header.Set("Authorization", "Token "+r.Token)
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, err
	}
	var res qResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("influxdb query: HTTP %d: %.200s", resp.StatusCode, body)
	}
	if res.Error != "" {
		return nil, fmt.Errorf("influxdb query: %s", res.Error)
	}
	for _, rr := range res.Results {
		if rr.Error != "" {
			return nil, fmt.Errorf("influxdb query: %s", rr.Error)
		}
	}
	return &res, nil
}

// Readings returns the raw readings of a measurement (air_hourly or water_sample) with
// time in (from, to], grouped by the `source` tag of points written before a station hour
// became one series ("" for the points since, which carry none): the caller replays the
// groups in name order, the untagged last, so that the newest write stands.
func (r *Reader) Readings(ctx context.Context, measurement string, from, to time.Time) (map[string][]reading.Reading, error) {
	kind, siteKey := reading.Air, "station"
	if measurement == MeasurementWaterSample {
		kind, siteKey = reading.Water, "section"
	}
	q := fmt.Sprintf(`SELECT * FROM %q WHERE time > %ds AND time <= %ds`, measurement, from.Unix(), to.Unix())
	res, err := r.query(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string][]reading.Reading{}
	for _, rr := range res.Results {
		for _, s := range rr.Series {
			idx := map[string]int{}
			for i, c := range s.Columns {
				idx[c] = i
			}
			ti, si := idx["time"], idx[siteKey]
			srci, hasSource := idx["source"]
			for _, row := range s.Values {
				ts, _ := row[ti].(float64)
				site, _ := row[si].(string)
				rd := reading.Reading{Kind: kind, Site: site, End: time.Unix(int64(ts), 0).UTC()}
				flags, _ := cell(row, idx, FlagsField)
				for col, i := range idx {
					if col == "time" || col == siteKey || col == "area" || col == "source" || col == FlagsField || strings.HasSuffix(col, FlagSuffix) ||
						col == FieldHourAQI { // derived from the values, not one of them
						continue
					}
					f, ok := row[i].(float64)
					if !ok {
						continue
					}
					v, ok := fixed.FromFloat(f)
					if !ok {
						continue
					}
					flag := flagOf(row, idx, flags, col)
					if flag == reading.FlagNotMonitored {
						continue // a stale number of an earlier write: added below
					}
					rd.Values = append(rd.Values, reading.Value{Code: col, V: v, Flag: flag})
				}
				rd.Values = appendNotMonitored(rd.Values, row, s.Columns, idx, flags)
				if len(rd.Values) > 0 {
					src := ""
					if hasSource {
						src, _ = row[srci].(string)
					}
					out[src] = append(out[src], rd)
				}
			}
		}
	}
	return out, nil
}

func cell(row []any, idx map[string]int, col string) (string, bool) {
	i, ok := idx[col]
	if !ok {
		return "", false
	}
	s, ok := row[i].(string)
	return s, ok
}

// flagOf finds a value's flag: its own flag field, written since flags became one field
// per value, decides; else the point's former flags field ("pm2_5:M;o3:D", a code not
// listed is N); else N.
func flagOf(row []any, idx map[string]int, flags, code string) string {
	if f, ok := cell(row, idx, code+FlagSuffix); ok && f != "" {
		return f
	}
	for _, kv := range strings.Split(flags, ";") {
		if c, f, ok := strings.Cut(kv, ":"); ok && c == code {
			return f
		}
	}
	return "N"
}

// appendNotMonitored adds the values a point marks not monitored ("/"), which have no
// number: by their own flag field, or by the former flags field ("so2:/") where the value
// has no flag field of its own.
func appendNotMonitored(vs []reading.Value, row []any, columns []string, idx map[string]int, flags string) []reading.Value {
	for _, col := range columns { // in the order of the columns: reproducible
		if code, ok := strings.CutSuffix(col, FlagSuffix); ok {
			if f, _ := cell(row, idx, col); f == reading.FlagNotMonitored {
				vs = append(vs, reading.Value{Code: code, Flag: f})
			}
		}
	}
	for _, kv := range strings.Split(flags, ";") {
		if c, f, ok := strings.Cut(kv, ":"); ok && f == reading.FlagNotMonitored {
			if own, _ := cell(row, idx, c+FlagSuffix); own == "" {
				vs = append(vs, reading.Value{Code: c, Flag: f})
			}
		}
	}
	return vs
}
