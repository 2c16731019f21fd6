package waterquality

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// Store is the water engine's data, beside airquality.Network: each site's samples by
// time, as delivered (codes, values, flags), merged item by item — a field file (DO, pH,
// temperature) and a lab file for one sampling make one sample, and an item sent again
// replaces its earlier value. Not safe for concurrent use; the pipeline serialises writes.
type Store struct {
	samples map[string]map[int64][]reading.Value
	version map[string]uint64    // per site, bumped by every sample applied
	newest  map[string]time.Time // newest sample per site
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{samples: map[string]map[int64][]reading.Value{}, version: map[string]uint64{}, newest: map[string]time.Time{}}
}

// Apply merges a sample of site taken at end into the store and returns the merged values
// and the number of items revised.
func (s *Store) Apply(site string, end time.Time, values []reading.Value) ([]reading.Value, int) {
	if end.After(s.newest[site]) {
		s.newest[site] = end
	}
	m := s.samples[site]
	if m == nil {
		m = map[int64][]reading.Value{}
		s.samples[site] = m
	}
	revised := 0
	merged := MergeValues(m[end.Unix()], values, &revised)
	m[end.Unix()] = merged
	s.version[site]++
	return merged, revised
}

// Version changes whenever a sample of the site is applied (for caches).
func (s *Store) Version(site string) uint64 { return s.version[site] }

// Newest returns the time of every site's newest sample.
func (s *Store) Newest() map[string]time.Time {
	out := make(map[string]time.Time, len(s.newest))
	for k, v := range s.newest {
		out[k] = v
	}
	return out
}

// Samples returns the valid values of a site's samples taken in [from, to) as evaluation
// samples, in time order: a below-detection result (flag L) holds its detection limit, a
// value with another flag is left out unless it counts (docs/standards.md §4.7).
func (s *Store) Samples(site string, from, to time.Time) []Sample {
	var times []int64
	for t := range s.samples[site] {
		if t >= from.Unix() && t < to.Unix() {
			times = append(times, t)
		}
	}
	slices.Sort(times)
	out := make([]Sample, 0, len(times))
	for _, t := range times {
		smp := Sample{Taken: time.Unix(t, 0).UTC()}
		for _, v := range s.samples[site][t] {
			it, ok := ParseItem(v.Code)
			switch {
			case !ok:
			case IsBelowFlag(v.Flag):
				smp.SetBelow(it, v.V) // the value is the detection limit
			case v.Valid():
				smp.Set(it, v.V)
			}
		}
		out = append(out, smp)
	}
	return out
}

// MergeValues returns old's items overridden and extended by new's, in old's order then
// new items; revised (when not nil) counts the items of new that old held.
func MergeValues(old, new []reading.Value, revised *int) []reading.Value {
	if len(old) == 0 {
		return new
	}
	out := make([]reading.Value, len(old), len(old)+len(new))
	copy(out, old)
	for _, v := range new {
		found := false
		for i := range out {
			if out[i].Code == v.Code {
				out[i], found = v, true
				if revised != nil {
					*revised++
				}
				break
			}
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}

// EncodeValues writes a sample's values as the state store keeps them: "code=value:flag;…"
// ("+" after the flag: the value counts despite its flag).
func EncodeValues(vs []reading.Value) []byte {
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, v.Code...)
		b = append(b, '=')
		b = append(b, v.V.String()...)
		b = append(b, ':')
		b = append(b, v.Flag...)
		if v.Counts {
			b = append(b, '+')
		}
	}
	return b
}

// Interner returns one string per distinct text (item codes and flags are a few dozen).
type Interner map[string]string

func (in Interner) of(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation: the compiler looks up without converting
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// DecodeValues reads what EncodeValues wrote. Sized exactly, and codes and flags interned
// rather than substrings of a copy of b: a national year restores 43,000 samples, and each
// kept its text and a slice grown by doubling (≈ 46 MB of the steady-state heap).
func DecodeValues(b []byte, in Interner) ([]reading.Value, error) {
	out := make([]reading.Value, 0, bytes.Count(b, []byte{';'})+1)
	for len(b) > 0 {
		var part []byte
		part, b, _ = bytes.Cut(b, []byte{';'})
		if len(part) == 0 {
			continue
		}
		code, rest, ok1 := bytes.Cut(part, []byte{'='})
		val, flag, ok2 := bytes.Cut(rest, []byte{':'})
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("corrupt water sample %q", part)
		}
		d, err := fixed.Parse(string(val))
		if err != nil {
			return nil, err
		}
		counts := bytes.HasSuffix(flag, []byte{'+'})
		out = append(out, reading.Value{Code: in.of(code), V: d, Flag: in.of(bytes.TrimSuffix(flag, []byte{'+'})), Counts: counts})
	}
	return out, nil
}
