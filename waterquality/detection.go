package waterquality

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/envwatch/envwatch/fixed"
)

// DetectionRule is the value a below-detection result enters a mean with. The sources
// found leave it open [U]: half the limit is the usual practice, the limit itself the
// cautious one (docs/standards.md, "Below-detection values").
type DetectionRule int

// Rules for below-detection results.
const (
	DetectionHalf  DetectionRule = iota // half the detection limit (default)
	DetectionLimit                      // the detection limit itself
	DetectionZero                       // zero
)

// ParseDetectionRule reads "half", "limit" or "zero".
func ParseDetectionRule(s string) (DetectionRule, bool) {
	switch s {
	case "", "half":
		return DetectionHalf, true
	case "limit":
		return DetectionLimit, true
	case "zero":
		return DetectionZero, true
	}
	return 0, false
}

// ParseMeasured reads a laboratory result in the notations reports use: a number; a
// number followed by "L" (below the detection limit given, "0.0003L"); "<" and a number
// (the same); "ND", "N.D." or "未检出" (not detected, limit not stated: 0).
func ParseMeasured(raw string) (v fixed.Dec, below bool, err error) {
	s := strings.TrimSpace(raw)
	switch strings.ToUpper(s) {
	case "ND", "N.D.", "未检出":
		return 0, true, nil
	}
	switch {
	case strings.HasSuffix(s, "L") || strings.HasSuffix(s, "l"):
		s, below = strings.TrimSpace(s[:len(s)-1]), true
	case strings.HasPrefix(s, "<"):
		s, below = strings.TrimSpace(s[1:]), true
	}
	v, err = fixed.Parse(s)
	if err != nil {
		return 0, false, fmt.Errorf("not a decimal number, \"<limit\", \"limitL\" or ND")
	}
	if below && v < 0 {
		return 0, false, fmt.Errorf("negative detection limit")
	}
	return v, below, nil
}

// IsBelowFlag reports whether a data flag marks a below-detection result ("L", "ND").
func IsBelowFlag(flag string) bool {
	f := strings.ToUpper(strings.TrimSpace(flag))
	return f == "L" || f == "ND" || f == "<DL"
}

// Substitute replaces each below-detection value of s by the value the rule gives it for
// means: half the limit, the limit, or zero.
func Substitute(s *Sample, rule DetectionRule) {
	for it := Item(0); it < NumItems; it++ {
		if !s.IsBelow(it) {
			continue
		}
		switch rule {
		case DetectionHalf:
			h, _ := fixed.FromRat(new(big.Rat).Quo(s.Values[it].Rat(), big.NewRat(2, 1)))
			s.Values[it] = h
		case DetectionZero:
			s.Values[it] = 0
		}
	}
}
