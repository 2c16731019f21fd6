// Package csvrec reads the CSV files sources and calculators are given (CNEMC hourly
// files, water results, a clerk's paste from Excel), one record at a time and bounded: a
// record is checked against a byte and a field limit before it is split into fields, so a
// line of 20 MB of commas costs the buffer, not gigabytes. The common line — unquoted,
// as the national feed writes it — is split without a state machine; quoted fields follow
// RFC 4180 ("" inside quotes, commas and line breaks within them).
package csvrec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound one record. The zero value takes the defaults.
type Limits struct {
	Bytes  int // bytes of a record, line breaks inside quotes included (default 64 KiB)
	Fields int // fields of a record (default 1,024)
}

// Default limits: a CNEMC row is ~160 bytes and 22 fields; a wide laboratory sheet a few
// hundred columns.
const (
	DefaultBytes  = 64 << 10
	DefaultFields = 1024
)

// ErrTooLong and ErrTooManyFields refuse a record beyond the limits; the rest of the file
// cannot be trusted to be CSV, so the reader stops there.
var (
	ErrTooLong       = errors.New("record longer than the limit")
	ErrTooManyFields = errors.New("record with more fields than the limit")
)

// LimitError is a record beyond the limits, with the line it starts on. Reading stops.
type LimitError struct {
	Line  int
	Limit int
	Err   error // ErrTooLong or ErrTooManyFields
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("line %d: %v (%d): not read further", e.Line, e.Err, e.Limit)
}

func (e *LimitError) Unwrap() error { return e.Err }

// SyntaxError is a malformed record (a stray quote); the reader goes on with the next one.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Reader reads records. The slice Read returns is reused by the next Read; the strings in
// it are not, and may be kept.
type Reader struct {
	br     *bufio.Reader
	lim    Limits
	line   int // lines consumed
	start  int // line the last record started on
	fields []string
	quoted []byte
}

// NewReader reads r with the given limits.
func NewReader(r io.Reader, lim Limits) *Reader {
	if lim.Bytes <= 0 {
		lim.Bytes = DefaultBytes
	}
	if lim.Fields <= 0 {
		lim.Fields = DefaultFields
	}
	// The buffer is the record limit: a longer line is refused from the buffer alone.
	return &Reader{br: bufio.NewReaderSize(r, max(lim.Bytes+2, 16)), lim: lim}
}

// Line is the line the record last read starts on (1-based).
func (r *Reader) Line() int { return r.start }

// Read returns the next record, io.EOF after the last. A *SyntaxError leaves the reader
// at the next record; a *LimitError or an I/O error ends the file.
func (r *Reader) Read() ([]string, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.start = r.line
		if len(line) == 0 {
			continue // blank lines are not records (as encoding/csv)
		}
		if bytes.IndexByte(line, '"') < 0 {
			return r.split(line)
		}
		return r.readQuoted(line)
	}
}

// readLine returns the next line without its line break; it is valid until the next call.
func (r *Reader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		r.line++
		return nil, &LimitError{Line: r.line, Limit: r.lim.Bytes, Err: ErrTooLong}
	case err == io.EOF && len(b) == 0:
		return nil, io.EOF
	case err != nil && err != io.EOF:
		return nil, err
	}
	r.line++
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	if len(b) > r.lim.Bytes {
		return nil, &LimitError{Line: r.line, Limit: r.lim.Bytes, Err: ErrTooLong}
	}
	return b, nil
}

// split cuts an unquoted line at its commas, one string for the whole record.
func (r *Reader) split(line []byte) ([]string, error) {
	s := string(line)
	r.fields = r.fields[:0]
	from := 0
	// A byte loop: fields are a few bytes long, shorter than an IndexByte call is worth.
	for i := 0; i < len(s); i++ {
		if s[i] != ',' {
			continue
		}
		if len(r.fields)+1 >= r.lim.Fields {
			return nil, &LimitError{Line: r.start, Limit: r.lim.Fields, Err: ErrTooManyFields}
		}
		r.fields = append(r.fields, s[from:i])
		from = i + 1
	}
	r.fields = append(r.fields, s[from:])
	return r.fields, nil
}

// readQuoted parses a record with quotes, reading further lines while a quoted field is
// open, within the byte limit.
func (r *Reader) readQuoted(first []byte) ([]string, error) {
	buf := append(r.quoted[:0], first...)
	var out []byte // field text, unquoted
	var ends []int // end offsets of fields in out
	i := 0
	for {
		// At the start of a field.
		if len(ends) >= r.lim.Fields {
			return nil, &LimitError{Line: r.start, Limit: r.lim.Fields, Err: ErrTooManyFields}
		}
		if i < len(buf) && buf[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(buf[i:], '"')
				if j < 0 { // the field goes on past the line break
					out = append(out, buf[i:]...)
					out = append(out, '\n')
					next, err := r.readLine()
					if err == io.EOF {
						return nil, &SyntaxError{Line: r.start, Msg: "quoted field not closed before the end of the file"}
					}
					if err != nil {
						return nil, err
					}
					if len(out)+len(next) > r.lim.Bytes {
						return nil, &LimitError{Line: r.start, Limit: r.lim.Bytes, Err: ErrTooLong}
					}
					buf = append(buf[:0], next...)
					i = 0
					continue
				}
				out = append(out, buf[i:i+j]...)
				i += j + 1
				if i < len(buf) && buf[i] == '"' { // "" is a quote
					out = append(out, '"')
					i++
					continue
				}
				break
			}
			ends = append(ends, len(out))
			switch {
			case i == len(buf):
				r.quoted = buf
				return r.fieldsOf(out, ends), nil
			case buf[i] == ',':
				i++
				continue
			default:
				return nil, &SyntaxError{Line: r.start, Msg: fmt.Sprintf("extraneous %q after a quoted field", buf[i])}
			}
		}
		j := bytes.IndexByte(buf[i:], ',')
		field := buf[i:]
		if j >= 0 {
			field = buf[i : i+j]
		}
		if bytes.IndexByte(field, '"') >= 0 {
			return nil, &SyntaxError{Line: r.start, Msg: "bare \" in a field that is not quoted"}
		}
		out = append(out, field...)
		ends = append(ends, len(out))
		if j < 0 {
			r.quoted = buf
			return r.fieldsOf(out, ends), nil
		}
		i += j + 1
	}
}

func (r *Reader) fieldsOf(out []byte, ends []int) []string {
	s := string(out)
	r.fields = r.fields[:0]
	prev := 0
	for _, e := range ends {
		r.fields = append(r.fields, s[prev:e])
		prev = e
	}
	return r.fields
}
