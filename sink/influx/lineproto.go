package influx

import (
	"strconv"
	"strings"

	"github.com/envwatch/envwatch/reading"
)

// Measurements of the storage schema (docs/storage.md).
const (
	MeasurementAirHourly   = "air_hourly"
	MeasurementAirRealtime = "air_realtime"
	MeasurementWaterSample = "water_sample"
	MeasurementAirHourAQI  = "air_hourly_aqi"
	MeasurementAirDaily    = "air_daily"
	MeasurementWaterPeriod = "water_period"
	MeasurementAirMonthly  = "air_monthly"
)

// Tags carries a site's identity tags. They never change for a site (InfluxDB 3 treats
// tags as immutable) and never collide with field names.
type Tags struct {
	Area   string
	Source string
}

// FlagsField is the string field holding a point's data flags other than N, as
// "code:flag;code:flag" ("" when every value is N). One field instead of one per value:
// InfluxDB does about half the work per point (docs/performance.md), and since the field is
// always written, a revision that clears a flag clears it in InfluxDB too.
const FlagsField = "flags"

// AppendReading encodes one reading as a line of line protocol (seconds precision): one
// float field per value and the flags field — never a tag, so that a revised flag
// overwrites instead of creating a second series. It returns buf unchanged for a reading
// without values (InfluxDB rejects empty field sets).
func AppendReading(buf []byte, r *reading.Reading, tags Tags) []byte {
	if len(r.Values) == 0 {
		return buf
	}
	measurement, siteKey := MeasurementAirHourly, "station"
	switch {
	case r.Kind == reading.Water:
		measurement, siteKey = MeasurementWaterSample, "section"
	case r.Period != reading.Hour:
		measurement = MeasurementAirRealtime
	}
	buf = append(buf, measurement...)
	buf = appendTag(buf, siteKey, r.Site)
	buf = appendTag(buf, "area", tags.Area)
	buf = appendTag(buf, "source", tags.Source)
	for i, v := range r.Values {
		if i == 0 {
			buf = append(buf, ' ')
		} else {
			buf = append(buf, ',')
		}
		buf = appendKey(buf, v.Code)
		buf = append(buf, '=')
		buf = v.V.Append(buf)
	}
	buf = append(buf, ","+FlagsField+"=\""...)
	first := true
	for _, v := range r.Values {
		if v.Flag == "" || v.Flag == "N" {
			continue
		}
		if !first {
			buf = append(buf, ';')
		}
		first = false
		buf = appendStringBody(buf, v.Code)
		buf = append(buf, ':')
		buf = appendStringBody(buf, v.Flag)
	}
	buf = append(buf, '"', ' ')
	buf = strconv.AppendInt(buf, r.End.Unix(), 10)
	return append(buf, '\n')
}

// Field is one field of a derived point.
type Field struct {
	Key    string
	Float  string // decimal text; used when Str is empty
	Str    string
	IsText bool
}

// AppendPoint encodes a derived point with string tags in the given order.
func AppendPoint(buf []byte, measurement string, tags [][2]string, fields []Field, unix int64) []byte {
	if len(fields) == 0 {
		return buf
	}
	buf = append(buf, measurement...)
	for _, t := range tags {
		buf = appendTag(buf, t[0], t[1])
	}
	for i, f := range fields {
		if i == 0 {
			buf = append(buf, ' ')
		} else {
			buf = append(buf, ',')
		}
		buf = appendKey(buf, f.Key)
		buf = append(buf, '=')
		if f.IsText {
			buf = appendString(buf, f.Str)
		} else {
			buf = append(buf, f.Float...)
		}
	}
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, unix, 10)
	return append(buf, '\n')
}

func appendTag(buf []byte, k, v string) []byte {
	if v == "" {
		return buf // empty tag values are not allowed
	}
	buf = append(buf, ',')
	buf = appendKey(buf, k)
	buf = append(buf, '=')
	return appendKey(buf, v)
}

// appendKey escapes commas, equals signs and spaces (tag keys, tag values, field keys).
func appendKey(buf []byte, s string) []byte {
	if !strings.ContainsAny(s, ",= \\\n") {
		return append(buf, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ',', '=', ' ', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, ' ') // newlines cannot be escaped in line protocol
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	buf = appendStringBody(buf, s)
	return append(buf, '"')
}

// appendStringBody escapes a string field's content (quotes and backslashes).
func appendStringBody(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			buf = append(buf, '\\', c)
		} else {
			buf = append(buf, c)
		}
	}
	return buf
}
