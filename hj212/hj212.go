// Package hj212 is a codec for HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) packets:
// framing, the standard's CRC, parsing of the data segment and CP data area, and the
// answers a host sends (9011, 9014). Parsing is lenient where real devices deviate (QN or
// Flag missing, 17-digit DataTime, lower-case CRC) and strict where it matters (length,
// CRC, size limits). Length and CRC are over the UTF-8 bytes of the data segment.
package hj212

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxSegment is the largest data segment the standard allows (表2: 0 ≤ n ≤ 1024).
const MaxSegment = 1024

// Errors. Each maps to the QnRtn an answer would carry (QnRtn).
var (
	ErrFraming  = errors.New("hj212: malformed frame")
	ErrLength   = errors.New("hj212: data segment length does not match the length field")
	ErrTooLong  = errors.New("hj212: data segment longer than allowed")
	ErrCRC      = errors.New("hj212: CRC mismatch")
	ErrSegment  = errors.New("hj212: malformed data segment")
	ErrDataTime = errors.New("hj212: invalid DataTime")
	// ErrGarbage: more bytes than a maximal frame arrived without a "##" header.
	ErrGarbage = errors.New("hj212: no frame header in the stream")
)

// QnRtn returns the request-answer code (表7) for a decoding error: 9 CRC error, 100
// unknown error otherwise.
func QnRtn(err error) int {
	if errors.Is(err, ErrCRC) {
		return 9
	}
	return 100
}

// CRC computes the HJ 212 CRC-16 (附录A): register 0xFFFF; for each byte
// reg = (reg >> 8) ^ byte, then eight shifts with 0xA001. It is not CRC-16/MODBUS.
//
// Because (reg >> 8) ^ byte fits in 8 bits, one byte is a table look-up T. The eight
// shifts are linear over GF(2), so T[a^b] = T[a]^T[b], and eight bytes fold into eight
// independent look-ups ("slicing by 8"): after c1…c8 the register is
// V8[hi^c1] ^ V7[c2] ^ … ^ V1[c8], with V1 = T and V(k+1)[x] = T[V(k)[x] >> 8]. The
// byte-at-a-time loop is a chain of dependent loads; this one has one per eight bytes.
func CRC(b []byte) uint16 {
	reg := uint16(0xFFFF)
	t := &crcTables
	for len(b) >= 8 {
		reg = t[7][byte(reg>>8)^b[0]] ^ t[6][b[1]] ^ t[5][b[2]] ^ t[4][b[3]] ^
			t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
		b = b[8:]
	}
	for _, c := range b {
		reg = t[0][byte(reg>>8)^c]
	}
	return reg
}

// crcBitwise is the standard's algorithm as written; it builds the table and checks it.
func crcBitwise(b []byte) uint16 {
	reg := uint16(0xFFFF)
	for _, c := range b {
		reg = (reg >> 8) ^ uint16(c)
		reg = shift8(reg)
	}
	return reg
}

func shift8(reg uint16) uint16 {
	for i := 0; i < 8; i++ {
		lsb := reg & 1
		reg >>= 1
		if lsb != 0 {
			reg ^= 0xA001
		}
	}
	return reg
}

var crcTables = func() (t [8][256]uint16) {
	for i := range t[0] {
		t[0][i] = shift8(uint16(i))
	}
	for k := 1; k < len(t); k++ {
		for i := range t[k] {
			t[k][i] = t[0][byte(t[k-1][i]>>8)]
		}
	}
	return t
}()

// Frame wraps a data segment: "##" + 4-digit length + segment + CRC (upper-case hex) + CRLF.
func Frame(segment string) []byte {
	b := make([]byte, 0, len(segment)+12)
	b = append(b, '#', '#')
	b = append(b, fmt.Sprintf("%04d", len(segment))...)
	b = append(b, segment...)
	b = append(b, fmt.Sprintf("%04X", CRC([]byte(segment)))...)
	return append(b, '\r', '\n')
}

// Unframe checks a complete frame (with or without the trailing CRLF) and returns its
// data segment.
func Unframe(frame []byte, max int) ([]byte, error) {
	frame = bytes.TrimSuffix(frame, []byte("\r\n"))
	if len(frame) < 10 || frame[0] != '#' || frame[1] != '#' {
		return nil, ErrFraming
	}
	n, err := strconv.Atoi(string(frame[2:6]))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: length field %q", ErrFraming, frame[2:6])
	}
	if n > max {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, n)
	}
	if len(frame) != 6+n+4 {
		return nil, fmt.Errorf("%w: field %d, frame holds %d", ErrLength, n, len(frame)-10)
	}
	seg := frame[6 : 6+n]
	got, err := strconv.ParseUint(string(frame[6+n:]), 16, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: CRC field %q", ErrFraming, frame[6+n:])
	}
	if want := CRC(seg); uint16(got) != want {
		return nil, fmt.Errorf("%w: field %04X, computed %04X", ErrCRC, got, want)
	}
	return seg, nil
}

// Reader reads frames from a stream: it resynchronises on "##" and bounds every read.
type Reader struct {
	r       *bufio.Reader
	max     int
	skipped int
}

// NewReader returns a Reader accepting data segments up to max bytes.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, max+64), max: max}
}

// Next returns the next frame (without checking it) or an error. A frame whose length
// field exceeds the maximum returns ErrTooLong: the caller should drop the connection,
// because the stream cannot be trusted to resynchronise. More than max bytes without a
// header return ErrGarbage: a peer sending noise is not waited for until its timeout.
func (r *Reader) Next() ([]byte, error) {
	r.skipped = 0
	for {
		b, err := r.r.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == '#' {
			nb, err := r.r.Peek(1)
			if err != nil {
				return nil, err
			}
			if nb[0] == '#' {
				_, _ = r.r.ReadByte()
				break
			}
		}
		if r.skipped++; r.skipped > r.max {
			return nil, fmt.Errorf("%w: %d bytes", ErrGarbage, r.skipped)
		}
	}
	head, err := r.r.Peek(4)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(string(head))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: length field %q", ErrFraming, head)
	}
	if n > r.max {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, n)
	}
	frame := make([]byte, 2+4+n+4+2)
	frame[0], frame[1] = '#', '#'
	if _, err := io.ReadFull(r.r, frame[2:]); err != nil {
		return nil, err
	}
	return frame, nil
}

// Skipped returns how many bytes before the last frame (or error) were not part of a
// frame: senders' noise, or the tail of a frame the reader gave up on.
func (r *Reader) Skipped() int { return r.skipped }

// Packet is a parsed data segment (表3).
type Packet struct {
	QN   string
	ST   string
	CN   string
	PW   string
	MN   string
	Flag int
	// HasFlag is false for packets without Flag (HJ/T 212-2005 style).
	HasFlag bool
	PNUM    int
	PNO     int
	// CP is the raw data area between "CP=&&" and "&&".
	CP string
}

// AckRequested reports the Flag's A bit: the sender wants a data answer (9014).
func (p *Packet) AckRequested() bool { return p.HasFlag && p.Flag&1 == 1 }

// Parse reads a data segment.
func Parse(seg []byte) (Packet, error) {
	s := string(seg)
	i := strings.Index(s, "CP=&&")
	if i < 0 {
		return Packet{}, fmt.Errorf("%w: no CP=&&", ErrSegment)
	}
	rest := s[i+len("CP=&&"):]
	j := strings.LastIndex(rest, "&&")
	if j < 0 {
		return Packet{}, fmt.Errorf("%w: CP not closed with &&", ErrSegment)
	}
	p := Packet{CP: rest[:j]}
	for head := s[:i]; head != ""; {
		var f string
		f, head, _ = strings.Cut(head, ";")
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return Packet{}, fmt.Errorf("%w: field %q", ErrSegment, f)
		}
		switch k {
		case "QN":
			p.QN = v
		case "ST":
			p.ST = v
		case "CN":
			p.CN = v
		case "PW":
			p.PW = v
		case "MN":
			p.MN = v
		case "Flag":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 255 {
				return Packet{}, fmt.Errorf("%w: Flag %q", ErrSegment, v)
			}
			p.Flag, p.HasFlag = n, true
		case "PNUM":
			p.PNUM, _ = strconv.Atoi(v)
		case "PNO":
			p.PNO, _ = strconv.Atoi(v)
		}
	}
	if p.CN == "" || p.MN == "" {
		return Packet{}, fmt.Errorf("%w: CN and MN are required", ErrSegment)
	}
	return p, nil
}

// Item is the set of fields a CP data area gives for one pollutant code, e.g.
// "a21004-Avg=4,a21004-Flag=N" → Code a21004, fields Avg=4 and Flag=N.
type Item struct {
	Code   string
	Fields []Field
}

// Field is one "name=value" of an item.
type Field struct{ Name, Value string }

// Get returns the value of a field.
func (it *Item) Get(name string) (string, bool) {
	for _, f := range it.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Data is a parsed CP data area.
type Data struct {
	// Params are fields without a pollutant code (DataTime, QnRtn, RtdInterval, …), in
	// packet order. A slice, not a map: a packet has one or two, and a map was a sixth of
	// the parse time.
	Params []Field
	Items  []Item
	buf    []Field // backing array of the items' fields, kept by ParseCPInto
}

// Param returns the value of a parameter (the first, if a sender repeats it).
func (d *Data) Param(name string) (string, bool) {
	for _, f := range d.Params {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// DataTime returns the DataTime parameter ("" when absent).
func (d *Data) DataTime() string {
	v, _ := d.Param("DataTime")
	return v
}

// ParseCP reads a CP data area: items separated by ';', fields of one item by ','. Fields
// of one code are gathered in one Item even when a sender splits them. All fields share one
// backing array: a packet costs a handful of allocations.
func ParseCP(cp string) (Data, error) {
	groups, n := 1, 1 // exact sizes: this Data is not reused
	for i := 0; i < len(cp); i++ {
		switch cp[i] {
		case ';':
			groups++
			n++
		case ',':
			n++
		}
	}
	d := Data{Items: make([]Item, 0, groups), buf: make([]Field, 0, n)}
	if err := parseCP(cp, &d); err != nil {
		return Data{}, err
	}
	return d, nil
}

// ParseCPInto is ParseCP reusing d's arrays (a connection parses packet after packet):
// whatever d held before is overwritten. Values are substrings of cp.
func ParseCPInto(cp string, d *Data) error {
	// An item field takes at least three bytes ("-=" and a separator): sized by that bound
	// once, the arrays serve every later packet of the connection without a counting pass.
	if n := len(cp)/3 + 1; cap(d.buf) < n || cap(d.Items) < n {
		d.Items, d.buf = make([]Item, 0, n), make([]Field, 0, n)
	}
	return parseCP(cp, d)
}

// parseCP fills d. Items' field slices point into buf; should buf have to grow, earlier
// items keep the old array (still correct, only a copy more).
func parseCP(cp string, d *Data) error {
	d.Params, d.Items = d.Params[:0], d.Items[:0]
	fields := d.buf[:0]
	var seen uint64
	for len(cp) > 0 {
		i := 0
		for i < len(cp) && cp[i] != ';' && cp[i] != ',' {
			i++
		}
		f := cp[:i]
		if i < len(cp) {
			cp = cp[i+1:]
		} else {
			cp = ""
		}
		if f == "" {
			continue
		}
		eq := strings.IndexByte(f, '=')
		if eq < 0 {
			return fmt.Errorf("%w: CP field %q", ErrSegment, f)
		}
		k, v := f[:eq], f[eq+1:]
		dash := strings.IndexByte(k, '-')
		if dash < 0 {
			d.Params = append(d.Params, Field{k, v})
			continue
		}
		code, field := k[:dash], k[dash+1:]
		// The newest item's fields are the tail of the shared array: extend it in place.
		if last := len(d.Items) - 1; last >= 0 && d.Items[last].Code == code {
			fields = append(fields, Field{field, v})
			k := len(d.Items[last].Fields) + 1
			d.Items[last].Fields = fields[len(fields)-k : len(fields) : len(fields)]
			continue
		}
		// A code seen before means a sender split its fields across groups. seen (a 64-bit
		// filter over the codes so far) spares the search in the usual packet, where every
		// code is new.
		found := -1
		if bit := uint64(1) << (codeHash(code) & 63); seen&bit != 0 {
			for j := range d.Items {
				if d.Items[j].Code == code {
					found = j
				}
			}
		} else {
			seen |= bit
		}
		if found >= 0 { // a code split across groups: rare, give it its own slice
			d.Items[found].Fields = append(d.Items[found].Fields, Field{field, v})
			continue
		}
		fields = append(fields, Field{field, v})
		d.Items = append(d.Items, Item{Code: code, Fields: fields[len(fields)-1 : len(fields) : len(fields)]})
	}
	return nil
}

// codeHash mixes a pollutant code's length and last two bytes, where codes of one packet
// differ (a21004, a21026, a34004, …).
func codeHash(code string) uint {
	h := uint(len(code)) * 0x9E37
	if n := len(code); n >= 2 {
		h ^= uint(code[n-1])*31 + uint(code[n-2])*131
	}
	return h ^ h>>6
}

// ParseTime reads a DataTime or QN timestamp (YYYYMMDDhhmmss, or 17 digits with
// milliseconds) in the station's zone.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	layout := "20060102150405"
	switch len(s) {
	case 14:
	case 17:
		layout = "20060102150405.000"
		s = s[:14] + "." + s[14:]
	default:
		return time.Time{}, fmt.Errorf("%w: %q", ErrDataTime, s)
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrDataTime, s)
	}
	return t, nil
}

// DataAck is the data answer (9014) to an upload: same QN, PW and MN, ST 91, Flag 4.
func DataAck(p *Packet) []byte {
	return Frame(fmt.Sprintf("QN=%s;ST=91;CN=9014;PW=%s;MN=%s;Flag=4;CP=&&&&", p.QN, p.PW, p.MN))
}

// RequestAnswer is the request answer (9011) with a QnRtn code.
func RequestAnswer(p *Packet, qnRtn int) []byte {
	return Frame(fmt.Sprintf("QN=%s;ST=91;CN=9011;PW=%s;MN=%s;Flag=4;CP=&&QnRtn=%d&&", p.QN, p.PW, p.MN, qnRtn))
}
