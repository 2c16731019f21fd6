package httpjson

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a small JSON path: keys separated by dots, list indices in brackets
// ("data.iaqi.pm25.v", "results[0].value", "" = the document itself).
type Path []any

// ParsePath compiles a path expression.
func ParsePath(s string) (Path, error) {
	var p Path
	if s == "" {
		return p, nil
	}
	for _, part := range strings.Split(s, ".") {
		key := part
		var idx []int
		for {
			open := strings.IndexByte(key, '[')
			if open < 0 {
				break
			}
			close := strings.IndexByte(key[open:], ']')
			if close < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", s)
			}
			n, err := strconv.Atoi(key[open+1 : open+close])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: bad index %q", s, key[open+1:open+close])
			}
			idx = append(idx, n)
			if rest := key[open+close+1:]; rest != "" && rest[0] != '[' {
				return nil, fmt.Errorf("path %q: unexpected %q after ]", s, rest)
			}
			key = key[:open] + key[open+close+1:]
		}
		if key == "" && len(idx) == 0 {
			return nil, fmt.Errorf("path %q: empty key", s)
		}
		if key != "" {
			p = append(p, key)
		}
		for _, i := range idx {
			p = append(p, i)
		}
	}
	return p, nil
}

func (p Path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.(string))
		}
	}
	return b.String()
}

// Get walks a decoded document (json.Decoder with UseNumber).
func (p Path) Get(v any) (any, bool) {
	for _, e := range p {
		switch e := e.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[e]; !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || e >= len(a) {
				return nil, false
			}
			v = a[e]
		}
	}
	return v, true
}

// scalar renders a JSON scalar as text (numbers exactly as written).
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
