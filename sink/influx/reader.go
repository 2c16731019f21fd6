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
// time in (from, to], by the source that wrote them (the `source` tag, "" where absent):
// written back, a point must keep its series.
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
				for col, i := range idx {
					if col == "time" || col == siteKey || col == "area" || col == "source" || col == FlagsField || strings.HasSuffix(col, "_flag") ||
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
					flag := ""
					if fi, ok := idx[col+"_flag"]; ok { // points written before the flags field
						flag, _ = row[fi].(string)
					}
					if fi, ok := idx[FlagsField]; ok {
						if fs, ok := row[fi].(string); ok {
							flag = flagOf(fs, col, flag)
						}
					}
					if flag == reading.FlagNotMonitored {
						continue // a stale number of an earlier write: appendNotMonitored adds the value
					}
					rd.Values = append(rd.Values, reading.Value{Code: col, V: v, Flag: flag})
				}
				if fi, ok := idx[FlagsField]; ok { // not monitored: in the flags only
					if fs, ok := row[fi].(string); ok && strings.Contains(fs, ":"+reading.FlagNotMonitored) {
						rd.Values = appendNotMonitored(rd.Values, fs)
					}
				}
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

// appendNotMonitored adds the values a flags field marks not monitored ("so2:/").
func appendNotMonitored(vs []reading.Value, flags string) []reading.Value {
	for _, kv := range strings.Split(flags, ";") {
		if c, f, ok := strings.Cut(kv, ":"); ok && f == reading.FlagNotMonitored {
			vs = append(vs, reading.Value{Code: c, Flag: f})
		}
	}
	return vs
}

// flagOf finds code's flag in a flags field ("pm2_5:M;o3:D"); a code not listed is N. A
// point that has the field was written whole by the current schema, so the field decides
// even where an older "<code>_flag" field of the same point survives.
func flagOf(flags, code, _ string) string {
	for _, kv := range strings.Split(flags, ";") {
		if c, f, ok := strings.Cut(kv, ":"); ok && c == code {
			return f
		}
	}
	return "N"
}
