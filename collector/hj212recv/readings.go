package hj212recv

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/hj212"
	"github.com/envwatch/envwatch/reading"
)

var errCN = errors.New("unsupported CN")

// toReading converts a data packet. CN 2061 (hourly, DataTime = start of the hour) becomes
// an hourly reading ending one hour later; 2011 (real-time) and 2051 (minute) keep their
// time and are stored apart from the hourly statistics (air).
func (s *Server) toReading(p *hj212.Packet, dev *Device, d *hj212.Data) (reading.Reading, []reading.Reject, error) {
	var field string
	period := reading.Hour
	switch p.CN {
	case "2061":
		field = "Avg"
	case "2051":
		field, period = "Avg", reading.Minute
	case "2011":
		field, period = "Rtd", reading.Instant
	case "2031":
		field, period = "Avg", reading.Hour // daily (water): see below
	default:
		return reading.Reading{}, nil, errCN
	}
	if p.CN == "2031" && dev.Kind == reading.Air {
		return reading.Reading{}, nil, errCN // daily air values are computed, not received
	}
	if err := hj212.ParseCPInto(p.CP, d); err != nil {
		return reading.Reading{}, nil, err
	}
	t, err := hj212.ParseTime(d.DataTime(), s.opt.Location)
	if err != nil {
		return reading.Reading{}, nil, err
	}
	switch p.CN {
	case "2061":
		t = airquality.HourEndFromStart(t.Truncate(time.Hour))
	case "2031":
		t = t.AddDate(0, 0, 1)
	}
	if dev.Kind == reading.Water {
		period = reading.Hour // water samples are stored by their time whatever the CN
	}
	r := reading.Reading{Kind: dev.Kind, Period: period, Site: dev.Site, End: t.UTC(), Values: make([]reading.Value, 0, len(d.Items))}
	var rejects []reading.Reject
	for _, it := range d.Items {
		raw, ok := it.Get(field)
		if !ok {
			continue
		}
		c, ok := dev.Codes[it.Code]
		if !ok {
			continue // meteorological and other codes are not ours
		}
		v, err := fixed.Parse(raw)
		if err != nil {
			rejects = append(rejects, reading.Reject{Reason: "parse_error",
				Detail: fmt.Sprintf("MN %s QN %s: %s-%s: invalid value %q", p.MN, p.QN, it.Code, field, raw)})
			continue
		}
		if v, err = convert(v, c); err != nil {
			rejects = append(rejects, reading.Reject{Reason: "parse_error",
				Detail: fmt.Sprintf("MN %s QN %s: %s-%s: invalid value %q: %v", p.MN, p.QN, it.Code, field, raw, err)})
			continue
		}
		flag, _ := it.Get("Flag")
		if flag == "" {
			flag = "N"
		}
		// The raw flag is stored; a flag other than N counts only when configured to.
		r.Values = append(r.Values, reading.Value{Code: c.Code, V: v, Flag: flag, Counts: flag != "N" && s.opt.ValidFlags[flag]})
	}
	return r, rejects, nil
}

// convert brings a value to envwatch's unit. A multiplication is range-checked: a hostile
// or broken packet must not wrap around into a plausible concentration.
func convert(v fixed.Dec, c Code) (fixed.Dec, error) {
	if c.Mul > 1 {
		if v > fixed.Max/fixed.Dec(c.Mul) || v < -fixed.Max/fixed.Dec(c.Mul) {
			return 0, fixed.ErrRange
		}
		v *= fixed.Dec(c.Mul)
	}
	if c.Div > 1 {
		r := v.Rat()
		r.Quo(r, big.NewRat(c.Div, 1))
		v, _ = fixed.FromRat(r)
	}
	return v, nil
}

// airCodes are the ambient-air codes (docs/standards.md §4.10); a05024 is not in HJ 212-2017
// Table B.2 but is what stations send; some send "O3".
var airCodes = map[string]string{"a34004": "pm2_5", "a34002": "pm10", "a21026": "so2", "a21004": "no2",
	"a21005": "co", "a05024": "o3", "O3": "o3"}
