package influx

import (
	"strconv"

	"github.com/envwatch/envwatch/reading"
)

// Measurements of the storage schema (docs/storage.md).
const (
	MeasurementAirHourly   = "air_hourly"
	MeasurementAirRealtime = "air_realtime"
	MeasurementWaterSample = "water_sample"
	MeasurementAirDaily    = "air_daily"
	MeasurementWaterPeriod = "water_period"
	MeasurementAirMonthly  = "air_monthly"
)

// Fields of the real-time AQI on an air_hourly point (docs/storage.md).
const (
	FieldHourAQI        = "aqi"
	FieldHourAQIPrimary = "aqi_primary"
)

// Tags carries a site's identity tags. They never change for a site (InfluxDB 3 treats
// tags as immutable) and never collide with field names. The source that delivered a
// reading is not one of them: a station hour is one series whatever the number of
// sources, and InfluxDB merges their fields as the engine merges their values.
type Tags struct {
	Area string
}

// FlagSuffix makes a value's flag field: "pm2_5_flag" holds the HJ 212 flag of the pm2_5
// field beside it ("/" for a pollutant not monitored, which has no value field). One
// field per flagged value, so that re-sending one pollutant rewrites its own flag and
// leaves the others' (InfluxDB merges a point's fields), exactly as the engine merges the
// hour. Points written before carried one "flags" field for all values (FlagsField);
// the reader still takes it where a value has no flag field of its own.
const FlagSuffix = "_flag"

// FlagsField is the former single flags field ("code:flag;code:flag"), read only.
const FlagsField = "flags"

// AppendReading encodes one reading as a line of line protocol (seconds precision): one
// float field per value and a flag field per flagged value — never a tag, so that a
// revised flag overwrites instead of creating a second series. It returns buf unchanged
// for a reading without values (InfluxDB rejects empty field sets).
func AppendReading(buf []byte, r *reading.Reading, tags Tags) []byte {
	return AppendReadingWith(buf, r, tags, Extra{})
}

// Extra is what a reading's point may carry beyond its values and flags.
type Extra struct {
	// Fields go on the same point: the hourly AQI travels on its station hour's raw point
	// (docs/storage.md), one point instead of two.
	Fields []Field
	// First says no point of this series and time was written before, so the flag of a
	// value flagged N is left out: there is no earlier flag to clear. A rewrite (First
	// false) writes every value's flag, so that a revision clearing a flag clears it.
	First bool
}

// AppendReadingWith is AppendReading with what extra adds.
func AppendReadingWith(buf []byte, r *reading.Reading, tags Tags, extra Extra) []byte {
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
	sep := byte(' ')
	for _, v := range r.Values {
		if v.NotMonitored() { // no number: the flag field says it (reading.FlagNotMonitored)
			continue
		}
		buf = append(buf, sep)
		sep = ','
		buf = appendKey(buf, v.Code)
		buf = append(buf, '=')
		buf = v.V.Append(buf)
	}
	for _, v := range r.Values {
		if extra.First && v.Normal() {
			continue
		}
		buf = append(buf, sep)
		sep = ','
		buf = appendKey(buf, v.Code)
		buf = append(buf, FlagSuffix+"=\""...)
		if v.Flag == "" {
			buf = append(buf, 'N')
		} else {
			buf = appendStringBody(buf, v.Flag)
		}
		buf = append(buf, '"')
	}
	for _, f := range extra.Fields {
		buf = append(buf, sep)
		sep = ','
		buf = appendField(buf, &f)
	}
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, r.End.Unix(), 10)
	return append(buf, '\n')
}

// Field is one field of a derived point.
type Field struct {
	Key     string
	Float   string // decimal text, unless IsText or IsWhole
	Str     string
	IsText  bool
	Whole   int  // written as a float in integer notation ("79", not "79i"), so that -1 fits the field
	IsWhole bool // Whole is the value
}

// WholeFloat is a float field holding a whole number (an AQI, a count, a class): InfluxDB
// stores it as a float, like every numeric field envwatch writes.
func WholeFloat(key string, n int) Field { return Field{Key: key, Whole: n, IsWhole: true} }

func appendField(buf []byte, f *Field) []byte {
	buf = appendKey(buf, f.Key)
	buf = append(buf, '=')
	switch {
	case f.IsText:
		return appendString(buf, f.Str)
	case f.IsWhole:
		return strconv.AppendInt(buf, int64(f.Whole), 10)
	}
	return append(buf, f.Float...)
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
	for i := range fields {
		if i == 0 {
			buf = append(buf, ' ')
		} else {
			buf = append(buf, ',')
		}
		buf = appendField(buf, &fields[i])
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
	if !needsKeyEscape(s) {
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

// needsKeyEscape reports whether s holds a byte appendKey escapes. A plain loop: three
// tags per point made strings.ContainsAny (which builds its byte set on every call) 8 % of
// a backfill's CPU.
func needsKeyEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '=', ' ', '\\', '\n':
			return true
		}
	}
	return false
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
