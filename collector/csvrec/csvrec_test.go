package csvrec

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string, lim Limits) (recs [][]string, lines []int, err error) {
	r := NewReader(strings.NewReader(in), lim)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, lines, nil
		}
		var se *SyntaxError
		if errors.As(err, &se) {
			recs = append(recs, []string{"!" + se.Error()})
			lines = append(lines, r.Line())
			continue
		}
		if err != nil {
			return recs, lines, err
		}
		recs = append(recs, append([]string(nil), rec...))
		lines = append(lines, r.Line())
	}
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     [][]string
		lines    []int
	}{
		{"plain", "a,b,c\n1,2,3\n", [][]string{{"a", "b", "c"}, {"1", "2", "3"}}, []int{1, 2}},
		{"crlf and no final newline", "a,b\r\n1,2", [][]string{{"a", "b"}, {"1", "2"}}, []int{1, 2}},
		{"empty fields", "a,,\n,\n", [][]string{{"a", "", ""}, {"", ""}}, []int{1, 2}},
		{"blank lines skipped", "a\n\n\nb\n", [][]string{{"a"}, {"b"}}, []int{1, 4}},
		{"quoted comma", "x,\"颗粒物(PM10),臭氧1小时\",5\n", [][]string{{"x", "颗粒物(PM10),臭氧1小时", "5"}}, []int{1}},
		{"escaped quote", "\"a\"\"b\",c\n", [][]string{{"a\"b", "c"}}, []int{1}},
		{"line break in quotes", "\"a\nb\",c\nd\n", [][]string{{"a\nb", "c"}, {"d"}}, []int{1, 3}},
		{"bare quote", "a,b\"c,d\ne\n", [][]string{{"!line 1: bare \" in a field that is not quoted"}, {"e"}}, []int{1, 2}},
		{"text after quote", "\"a\"x,b\nc\n", [][]string{{"!line 1: extraneous 'x' after a quoted field"}, {"c"}}, []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, lines, err := readAll(t, tc.in, Limits{})
			if err != nil || !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("got %q lines %v err %v, want %q lines %v", got, lines, err, tc.want, tc.lines)
			}
		})
	}
}

// A record beyond the limits is refused before it is split — a line of 20 MB of commas
// costs the buffer — and ends the file; an unterminated quote cannot pull the file in.
func TestLimits(t *testing.T) {
	commas := "h\n" + strings.Repeat(",", 20<<20) + "\nafter\n"
	_, _, err := readAll(t, commas, Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, ErrTooLong) {
		t.Errorf("20 MB of commas: %v, want a too-long record at line 2", err)
	}
	_, _, err = readAll(t, "h\n"+strings.Repeat(",", 2000)+"\n", Limits{})
	if !errors.As(err, &le) || !errors.Is(err, ErrTooManyFields) || le.Line != 2 {
		t.Errorf("2,001 fields: %v", err)
	}
	open := "h\n\"" + strings.Repeat("x\n", 100<<10)
	_, _, err = readAll(t, open, Limits{})
	if !errors.Is(err, ErrTooLong) {
		t.Errorf("unterminated quote over 200 KB: %v, want too long", err)
	}
	if _, _, err := readAll(t, "a,\"b", Limits{}); err != nil {
		t.Errorf("unterminated quote at the end: %v, want a syntax error on the record", err)
	}
}

// What encoding/csv reads without an error, this reader reads the same.
func FuzzSameAsEncodingCSV(f *testing.F) {
	f.Add("a,b\n\"c,d\",e\n")
	f.Add("timepoint,stationcode,primarypollutant\n2026-07-01T1200,1812A,\"颗粒物(PM10),臭氧1小时\"\n")
	f.Add("\"a\nb\"\r\n\"\"\"\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil || strings.Contains(in, "\r") { // encoding/csv rewrites \r\n inside quotes
			return
		}
		got, _, err := readAll(t, in, Limits{Bytes: 1 << 20, Fields: 1 << 20})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %q, encoding/csv %q", in, got, want)
		}
	})
}

func BenchmarkRead(b *testing.B) {
	row := "2026-07-01T1200,1812A,112.3934,34.6517,洛阳市,市委党校,,50,35,32,28,19,158,158,97,97,11,12,10,8,0.7,0.5\n"
	data := "header\n" + strings.Repeat(row, 2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(strings.NewReader(data), Limits{})
		for {
			if _, err := r.Read(); err != nil {
				break
			}
		}
	}
}

func BenchmarkEncodingCSV(b *testing.B) {
	row := "2026-07-01T1200,1812A,112.3934,34.6517,洛阳市,市委党校,,50,35,32,28,19,158,158,97,97,11,12,10,8,0.7,0.5\n"
	data := "header\n" + strings.Repeat(row, 2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := csv.NewReader(strings.NewReader(data))
		r.FieldsPerRecord = -1
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err != nil {
				break
			}
		}
	}
}
