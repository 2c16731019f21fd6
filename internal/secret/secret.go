// Package secret keeps credentials out of logs and errors: it knows the forms a secret
// takes once it has passed through a URL, a header, a log formatter or a JSON encoder, and
// replaces every one of them.
package secret

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MinLen is the shortest value redacted: replacing a one- or two-character "secret"
// everywhere would wreck the logs without protecting anything.
const MinLen = 4

// Mask replaces a secret.
const Mask = "<redacted>"

// Read returns a secret from an environment variable or a file (trailing white space
// trimmed), whichever is named; neither gives "".
func Read(env, file string) (string, error) {
	switch {
	case env != "":
		return os.Getenv(env), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading secret file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// Encodings returns s as it appears raw, query- and path-escaped (upper- and lower-case
// hex), in base64 (standard and URL alphabets, padded or not), Go-quoted (logfmt and %q)
// and JSON-escaped.
func Encodings(s string) []string {
	if len(s) < MinLen {
		return nil
	}
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
		inner(strconv.Quote(s)), inner(strconv.QuoteToASCII(s))}
	if j, err := json.Marshal(s); err == nil {
		forms = append(forms, inner(string(j)))
	}
	for _, f := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		forms = append(forms, lowerHex(f))
	}
	return forms
}

func inner(q string) string { return q[1 : len(q)-1] }

// lowerHex writes the %XX escapes of an escaped string in lower case (some clients do).
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// Redactor replaces every encoding of its secrets. The zero value redacts nothing; a
// reload adds the new configuration's secrets (old ones stay: their values may still be in
// flight in errors of the previous generation).
type Redactor struct {
	mu    sync.RWMutex
	forms []string // longest first, so that no form is cut by a shorter one
	r     *strings.Replacer
}

// Add registers secrets; values shorter than MinLen are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, f := range r.forms {
		seen[f] = true
	}
	for _, s := range secrets {
		for _, f := range Encodings(s) {
			if !seen[f] {
				seen[f] = true
				r.forms = append(r.forms, f)
			}
		}
	}
	sort.Slice(r.forms, func(i, j int) bool { return len(r.forms[i]) > len(r.forms[j]) })
	pairs := make([]string, 0, 2*len(r.forms))
	for _, f := range r.forms {
		pairs = append(pairs, f, Mask)
	}
	r.r = strings.NewReplacer(pairs...)
}

// Replace returns s with every known secret masked.
func (r *Redactor) Replace(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	rep := r.r
	r.mu.RUnlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// Error masks the secrets in an error's text (nil stays nil).
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := r.Replace(err.Error())
	if msg == err.Error() {
		return err
	}
	return redacted{msg: msg, err: err}
}

// redacted keeps the chain for errors.Is while its text is masked.
type redacted struct {
	msg string
	err error
}

func (e redacted) Error() string { return e.msg }
func (e redacted) Unwrap() error { return e.err }

// Writer masks secrets in everything written through it: the log handler and the
// commands' error messages share it, so no path to the terminal is left unmasked. Each
// Write is one log record or message, so a secret is never split between two calls.
func Writer(w io.Writer, r *Redactor) io.Writer { return &writer{w: w, r: r} }

type writer struct {
	w io.Writer
	r *Redactor
}

// Unwrap returns the writer underneath (a terminal check looks through the redactor).
func (w *writer) Unwrap() io.Writer { return w.w }

func (w *writer) Write(p []byte) (int, error) {
	s := w.r.Replace(string(p))
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
