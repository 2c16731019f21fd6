// Package httpjson is the http_json source kind: a generic poller of HTTP JSON APIs that
// maps fields to station, time, pollutant and value with a small path syntax, with presets
// for the OpenAQ v3 "latest" endpoint and the WAQI (aqicn) city feed.
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/reading"
)

// Mapping says how to read records.
type Mapping struct {
	Records Path // the list of records ("" = the document is one record)
	Time    Path
	// Wide records carry one value per pollutant: Values maps a pollutant code to its path.
	Values map[string]Path
	// Long records carry one value each: Value with Sensor (an id mapped by Sensors) or
	// Pollutant (a name mapped by Pollutants).
	Value      Path
	Sensor     Path
	Sensors    map[string]string
	Pollutant  Path
	Pollutants map[string]string
	// Check, when set, must hold the text CheckValue (WAQI: status = ok).
	Check      Path
	CheckValue string
	// USAQI says the values are US-EPA sub-indices (WAQI), converted back to concentrations.
	USAQI bool
	// Units converts pollutants sent in another unit than GB 3095's (µg/m³; CO mg/m³).
	Units map[string]airquality.UnitConverter
}

// Source polls one URL per remote site.
type Source struct {
	URL         *template.Template
	Sites       map[string]string // remote id → envwatch station code
	Mapping     Mapping
	Client      *http.Client
	APIKey      string
	KeyHeader   string
	KeyParam    string
	MinInterval time.Duration
	Location    *time.Location
	MaxBody     int64
	Now         func() time.Time

	mu   sync.Mutex
	last time.Time
}

// ErrSchema reports a response that does not have the mapped shape (the API changed).
var ErrSchema = errors.New("response does not match the configured mapping")

// Fetch implements collector.Pull. "Latest" APIs cannot select by time: the window is
// ignored. Within MinInterval of the previous request nothing is requested (API quotas).
func (s *Source) Fetch(ctx context.Context, _ collector.Window) (*reading.Batch, error) {
	now := s.Now()
	s.mu.Lock()
	if !s.last.IsZero() && now.Sub(s.last) < s.MinInterval {
		s.mu.Unlock()
		return &reading.Batch{}, nil
	}
	s.last = now
	s.mu.Unlock()
	b := &reading.Batch{}
	ids := make([]string, 0, len(s.Sites))
	for id := range s.Sites {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var errs []error
	for _, id := range ids {
		rs, rejects, err := s.fetchSite(ctx, id)
		if err != nil {
			errs = append(errs, err) // one failing site does not drop the others
			continue
		}
		b.Readings = append(b.Readings, rs...)
		b.Rejects = append(b.Rejects, rejects...)
	}
	if len(errs) == len(ids) && len(ids) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, e := range errs {
		b.Rejects = append(b.Rejects, reading.Reject{Reason: "fetch_error", Detail: e.Error()})
	}
	return b, nil
}

func (s *Source) fetchSite(ctx context.Context, id string) ([]reading.Reading, []reading.Reject, error) {
	var u strings.Builder
	if err := s.URL.Execute(&u, struct{ ID string }{url.PathEscape(id)}); err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	if s.APIKey != "" && s.KeyHeader != "" {
		req.Header.Set(s.KeyHeader, s.APIKey)
	}
	if s.APIKey != "" && s.KeyParam != "" {
		q := req.URL.Query()
		q.Set(s.KeyParam, s.APIKey)
		req.URL.RawQuery = q.Encode()
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("site %s: %w", id, redact(err, s.APIKey))
	}
	defer resp.Body.Close()
	max := s.MaxBody
	if max <= 0 {
		max = 16 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("site %s: reading response: %w", id, redact(err, s.APIKey))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("site %s: HTTP %d", id, resp.StatusCode)
	}
	if int64(len(body)) > max {
		return nil, nil, fmt.Errorf("site %s: response larger than %d bytes", id, max)
	}
	var doc any
	if err := jsonDecode(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("site %s: invalid JSON: %w", id, err)
	}
	return s.Mapping.extract(doc, s.Sites[id], id, s.Location)
}

// redact removes the API key from an error in every encoding: net/http errors carry the
// URL with the key query-escaped.
func redact(err error, key string) error {
	r := &secret.Redactor{}
	r.Add(key)
	return r.Error(err)
}

func (m *Mapping) extract(doc any, station, id string, loc *time.Location) ([]reading.Reading, []reading.Reject, error) {
	if m.Check != nil {
		v, ok := m.Check.Get(doc)
		if t, _ := scalar(v); !ok || t != m.CheckValue {
			return nil, nil, fmt.Errorf("site %s: %s is %q, want %q: %w", id, m.Check, t, m.CheckValue, ErrSchema)
		}
	}
	var records []any
	if len(m.Records) == 0 {
		records = []any{doc}
	} else {
		v, ok := m.Records.Get(doc)
		arr, isArr := v.([]any)
		if !ok || !isArr {
			return nil, nil, fmt.Errorf("site %s: %s is not a list: %w", id, m.Records, ErrSchema)
		}
		records = arr
	}
	byTime := map[time.Time]*reading.Reading{}
	var order []time.Time
	var rejects []reading.Reject
	reject := func(i int, format string, args ...any) {
		rejects = append(rejects, reading.Reject{Reason: "parse_error", Detail: fmt.Sprintf("site %s record %d: ", id, i) + fmt.Sprintf(format, args...)})
	}
	for i, rec := range records {
		tv, ok := m.Time.Get(rec)
		ts, isText := scalar(tv)
		if !ok || !isText {
			reject(i, "no time at %s", m.Time)
			continue
		}
		when, err := parseTime(ts, loc)
		if err != nil {
			reject(i, "%s: invalid value %q", m.Time, ts)
			continue
		}
		r := byTime[when]
		if r == nil {
			r = &reading.Reading{Kind: reading.Air, Site: station, End: when}
			byTime[when] = r
			order = append(order, when)
		}
		add := func(code string, p Path) {
			v, ok := p.Get(rec)
			if !ok || v == nil {
				return // not measured
			}
			txt, _ := scalar(v)
			d, err := fixed.Parse(txt)
			if err != nil {
				reject(i, "%s: invalid value %q", p, txt)
				return
			}
			if m.USAQI {
				if d, ok = fromUSAQI(code, d); !ok {
					return
				}
			} else if d, err = m.Units[code].Convert(d); err != nil {
				reject(i, "%s: invalid value %q: %v", p, txt, err)
				return
			}
			r.Values = append(r.Values, reading.Value{Code: code, V: d, Flag: "N"})
		}
		if m.Values != nil {
			codes := make([]string, 0, len(m.Values))
			for c := range m.Values {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				add(c, m.Values[c])
			}
			continue
		}
		var code string
		switch {
		case m.Sensor != nil:
			sv, _ := m.Sensor.Get(rec)
			sid, _ := scalar(sv)
			code = m.Sensors[sid]
		case m.Pollutant != nil:
			pv, _ := m.Pollutant.Get(rec)
			name, _ := scalar(pv)
			code = m.Pollutants[name]
		}
		if code == "" {
			continue // a sensor or parameter not mapped: not requested, not an error
		}
		add(code, m.Value)
	}
	out := make([]reading.Reading, 0, len(order))
	for _, t := range order {
		if r := byTime[t]; len(r.Values) > 0 {
			out = append(out, *r)
		}
	}
	return out, rejects, nil
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	return t.UTC(), err
}

// US-EPA (2012) breakpoints of PM2.5 and PM10, for undoing WAQI's sub-indices.
var usBreakpoints = map[string][][4]float64{
	"pm2_5": {{0, 50, 0, 12}, {51, 100, 12.1, 35.4}, {101, 150, 35.5, 55.4}, {151, 200, 55.5, 150.4}, {201, 300, 150.5, 250.4}, {301, 400, 250.5, 350.4}, {401, 500, 350.5, 500.4}},
	"pm10":  {{0, 50, 0, 54}, {51, 100, 55, 154}, {101, 150, 155, 254}, {151, 200, 255, 354}, {201, 300, 355, 424}, {301, 400, 425, 504}, {401, 500, 505, 604}},
}

// fromUSAQI converts a US-EPA sub-index back to a concentration (µg/m³, rounded to one
// decimal). Only PM2.5 and PM10 can be undone without knowing the gas units WAQI used.
func fromUSAQI(code string, d fixed.Dec) (fixed.Dec, bool) {
	bps, ok := usBreakpoints[code]
	if !ok {
		return 0, false
	}
	a := d.Float64()
	for _, b := range bps {
		if a <= b[1] {
			c := (a-b[0])/(b[1]-b[0])*(b[3]-b[2]) + b[2]
			v, ok := fixed.FromFloat(float64(int64(c*10+0.5)) / 10)
			return v, ok
		}
	}
	return 0, false
}

// Presets.
const (
	PresetOpenAQ = "openaq_v3_latest"
	PresetWAQI   = "waqi_city"
)

// New builds an http_json source from its configuration, which config.Load has validated
// (presets, units and their combinations are refused there, with positions).
func New(c config.Source, env collector.Env) (any, error) {
	k := c.HTTPJSON
	s := &Source{Sites: k.Stations, Client: &http.Client{Timeout: time.Duration(c.Timeout)}, MinInterval: time.Duration(k.MinInterval),
		Now: time.Now, KeyHeader: k.APIKeyHeader, KeyParam: k.APIKeyParam}
	loc, err := env.Zone(c)
	if err != nil {
		return nil, err
	}
	s.Location = loc
	key, err := secret.Read(k.APIKeyEnv, k.APIKeyFile)
	if err != nil {
		return nil, fmt.Errorf("api_key_file: %w", err)
	}
	s.APIKey = key
	m, urlText, err := mapping(k)
	if err != nil {
		return nil, err
	}
	if m.Units, err = collector.AirUnits(k.Units); err != nil {
		return nil, err
	}
	s.Mapping = m
	if k.URL != "" {
		urlText = k.URL
	}
	if s.URL, err = template.New("url").Option("missingkey=error").Parse(urlText); err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	switch k.Preset {
	case PresetOpenAQ:
		if s.KeyHeader == "" {
			s.KeyHeader = "X-API-Key"
		}
	case PresetWAQI:
		if s.KeyParam == "" {
			s.KeyParam = "token"
		}
	}
	return s, nil
}

func mapping(k *config.HTTPJSON) (Mapping, string, error) {
	var m Mapping
	var urlText string
	must := func(s string) Path {
		p, err := ParsePath(s)
		if err != nil {
			panic(err) // presets are literals
		}
		return p
	}
	switch k.Preset {
	case PresetOpenAQ:
		urlText = "https://api.openaq.org/v3/locations/{{.ID}}/latest"
		m = Mapping{Records: must("results"), Time: must("datetime.utc"), Value: must("value"), Sensor: must("sensorsId"), Sensors: k.Sensors}
	case PresetWAQI:
		urlText = "https://api.waqi.info/feed/{{.ID}}/"
		m = Mapping{Time: must("data.time.iso"), Check: must("status"), CheckValue: "ok", USAQI: true,
			Values: map[string]Path{"pm2_5": must("data.iaqi.pm25.v"), "pm10": must("data.iaqi.pm10.v")}}
	case "":
		var err error
		parse := func(s string) Path {
			if err != nil {
				return nil
			}
			var p Path
			p, err = ParsePath(s)
			return p
		}
		m = Mapping{Records: parse(k.Records), Time: parse(k.Time), Sensors: k.Sensors, Pollutants: k.Pollutants}
		if k.Value != "" {
			m.Value = parse(k.Value)
		}
		if k.Sensor != "" {
			m.Sensor = parse(k.Sensor)
		}
		if k.Pollutant != "" {
			m.Pollutant = parse(k.Pollutant)
		}
		if len(k.Values) > 0 {
			m.Values = map[string]Path{}
			for code, p := range k.Values {
				m.Values[code] = parse(p)
			}
		}
		if err != nil {
			return m, "", err
		}
	default:
		return m, "", fmt.Errorf("unknown preset %q", k.Preset)
	}
	return m, urlText, nil
}

// A station's answer holds a few hundred values; these bound what a body may expand to
// once decoded (a 16 MiB body of "0," would be 8 million values, hundreds of MB).
const (
	maxJSONValues = 100_000
	maxJSONDepth  = 64
)

// jsonDecode decodes one document after checking, token by token without keeping them,
// that it holds at most maxJSONValues values nested at most maxJSONDepth deep.
func jsonDecode(b []byte, v any) error {
	scan := json.NewDecoder(bytes.NewReader(b))
	values, depth := 0, 0
	for {
		tok, err := scan.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("nested deeper than %d", maxJSONDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if values++; values > 2*maxJSONValues { // keys count as tokens too
			return fmt.Errorf("more than %d values", maxJSONValues)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
