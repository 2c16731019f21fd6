package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A secret with URL-reserved characters, quotes and non-ASCII: each of its encodings is
// masked wherever it appears.
func TestEveryEncodingIsMasked(t *testing.T) {
	const s = `k+y/Z=9 "q"&é:@`
	r := &Redactor{}
	r.Add(s, "abc") // too short to be redacted
	for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s), regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)), fmt.Sprintf("%q", s)} {
		got := r.Replace("before " + form + " after")
		if strings.Contains(got, form) || !strings.Contains(got, Mask) {
			t.Errorf("form %q not masked: %q", form, got)
		}
	}
	if got := r.Replace("abc"); got != "abc" {
		t.Errorf("short value masked: %q", got)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(Writer(&buf, r), nil)).Warn("fetch failed", "url", "https://api/x?token="+url.QueryEscape(s), "body", s)
	slog.New(slog.NewJSONHandler(Writer(&buf, r), nil)).Warn("fetch failed", "key", s)
	for _, form := range Encodings(s) {
		if strings.Contains(buf.String(), form) {
			t.Errorf("log holds %q:\n%s", form, buf.String())
		}
	}
	err := r.Error(fmt.Errorf("get %s: %w", url.QueryEscape(s), fs.ErrNotExist))
	if strings.Contains(err.Error(), url.QueryEscape(s)) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q not masked or chain lost", err)
	}
}
