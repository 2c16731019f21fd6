// Package hj212recv is the hj212 source kind: a TCP server that receives HJ 212-2017
// packets from air (ST 22) and water (ST 21) station data loggers, checks them (framing,
// CRC, MN allow-list, per-MN password), turns CN 2061/2011/2051 data into readings and
// answers 9014 when a packet asks for it. Hostile or broken clients are bounded by
// connection caps, per-address caps, size limits and timeouts.
package hj212recv

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/hj212"
	"github.com/envwatch/envwatch/reading"
)

// Device is a configured data logger.
type Device struct {
	MN       string
	Password string
	// NoAuth is set only by an explicit "auth: none": any PW is accepted.
	NoAuth bool
	Site   string
	Kind   reading.SiteKind
	// Codes maps HJ 212 codes to envwatch codes with a factor to envwatch's unit.
	Codes map[string]Code
}

// Code is how one HJ 212 code is read.
type Code struct {
	Code string // envwatch code (pm2_5, nh3n…)
	Div  int64  // divide by (1000: µg/L → mg/L, or CO µg/m³ → mg/m³)
	Mul  int64  // multiply by (1000: mg/m³ → µg/m³)
}

// Options configure a Server.
type Options struct {
	Listen          string
	MaxConns        int
	MaxConnsPerAddr int
	MaxSegment      int
	ReadTimeout     time.Duration
	IdleTimeout     time.Duration
	// FirstPacket bounds the time from connecting to the first authenticated packet.
	FirstPacket time.Duration
	// MaxAuthFailures wrong passwords close a connection; as many for one MN from one
	// address within AuthWindow throttle that MN from that address (auth.go): one attempt
	// examined per AuthBackoff, doubling with each further failure up to MaxAuthBackoff.
	MaxAuthFailures int
	AuthWindow      time.Duration
	AuthBackoff     time.Duration
	MaxAuthBackoff  time.Duration
	Allowed         []*net.IPNet
	Unlimited       []*net.IPNet // exempt from MaxConnsPerAddr
	ValidFlags      map[string]bool
	Devices         map[string]*Device
	Location        *time.Location // zone of DataTime
	TLS             *tls.Config    // nil: plain TCP
	Name            string
	Logger          *slog.Logger
}

// Server is the hj212 push source.
type Server struct {
	opt      Options
	mu       sync.Mutex
	perAddr  map[string]int
	guards   map[string]*guard // by guardKey: address and MN with wrong passwords
	conns    map[net.Conn]*connState
	addr     chan net.Addr
	packets  *prometheus.CounterVec
	accepted prometheus.Counter // the common case, resolved once rather than per packet
	open     prometheus.Gauge
	closed   *prometheus.CounterVec
	authFail *prometheus.CounterVec
	now      func() time.Time
}

// connState is what the server knows of one connection.
type connState struct {
	remote    string // host, for logs and the throttle
	opened    time.Time
	firstBy   time.Time
	authFails int
	authedMN  map[string]bool // MNs whose password this connection presented
	// authed: an authenticated packet arrived, so the first-packet deadline is lifted
	// and the connection is not evicted for a newcomer. Read by admit under s.mu.
	authed  atomic.Bool
	evicted atomic.Bool
	gone    chan struct{} // closed on eviction: a wait in the throttle ends
}

// Metrics of all hj212 servers, registered once by the binary.
type Metrics struct {
	Packets      *prometheus.CounterVec
	Open         *prometheus.GaugeVec
	Closed       *prometheus.CounterVec
	AuthFailures *prometheus.CounterVec
	AuthDisabled *prometheus.GaugeVec
}

// NewMetrics creates and registers the receiver metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Packets: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_hj212_packets_total",
			Help: "HJ 212 packets received, by source and result (accepted, rejected, crc, unknown_mn, password, st, cn, datatime, cp, answer, malformed, too_long, handler_error, address_refused, too_many_connections; auth_throttled counts packets also held in the guessing throttle)."},
			[]string{"source", "result"}),
		Open: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_hj212_connections",
			Help: "Open HJ 212 connections."}, []string{"source"}),
		Closed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_hj212_connections_closed_total",
			Help: "HJ 212 connections closed by the server, by reason (first_packet_timeout, auth_failures, evicted, garbage, malformed, too_long, idle, read_timeout, peer, shutdown)."},
			[]string{"source", "reason"}),
		AuthFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_hj212_auth_failures_total",
			Help: "Packets with a wrong password (PW) for a configured device, by MN."}, []string{"source", "mn"}),
		AuthDisabled: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_hj212_auth_disabled",
			Help: "1 for a device configured with auth: none (any PW accepted)."}, []string{"source", "mn"}),
	}
	if reg != nil {
		reg.MustRegister(m.Packets, m.Open, m.Closed, m.AuthFailures, m.AuthDisabled)
	}
	return m
}

// New creates a server.
func New(opt Options, m *Metrics) *Server {
	if m == nil {
		m = NewMetrics(nil)
	}
	if opt.AuthWindow <= 0 {
		opt.AuthWindow = time.Duration(config.DefaultHJ212.AuthWindow) // a zero window would divide by zero
	}
	packets := m.Packets.MustCurryWith(prometheus.Labels{"source": opt.Name})
	s := &Server{opt: opt, perAddr: map[string]int{}, guards: map[string]*guard{}, conns: map[net.Conn]*connState{},
		addr:    make(chan net.Addr, 1),
		packets: packets, accepted: packets.WithLabelValues("accepted"), open: m.Open.WithLabelValues(opt.Name),
		closed:   m.Closed.MustCurryWith(prometheus.Labels{"source": opt.Name}),
		authFail: m.AuthFailures.MustCurryWith(prometheus.Labels{"source": opt.Name}), now: time.Now}
	// Known label sets exist from the start, so that the first event is an increase.
	for _, r := range []string{"accepted", "rejected", "crc", "unknown_mn", "password", "st", "cn", "datatime", "cp", "malformed", "too_long",
		"handler_error", "address_refused", "too_many_connections", "auth_throttled"} {
		packets.WithLabelValues(r)
	}
	for _, r := range []string{"first_packet_timeout", "auth_failures", "evicted", "garbage", "malformed", "too_long", "idle", "read_timeout", "peer", "shutdown"} {
		s.closed.WithLabelValues(r)
	}
	for mn, d := range opt.Devices {
		s.authFail.WithLabelValues(mn)
		if d.NoAuth {
			m.AuthDisabled.WithLabelValues(opt.Name, mn).Set(1)
		}
	}
	return s
}

// Addr returns the listening address once Serve has started.
func (s *Server) Addr(ctx context.Context) (net.Addr, error) {
	select {
	case a := <-s.addr:
		s.addr <- a
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Serve listens and handles connections until ctx ends.
func (s *Server) Serve(ctx context.Context, h collector.Handler) error {
	l, err := net.Listen("tcp", s.opt.Listen)
	if err != nil {
		return fmt.Errorf("hj212: %w", err)
	}
	if s.opt.TLS != nil {
		l = tls.NewListener(l, s.opt.TLS)
	}
	s.addr <- l.Addr()
	defer l.Close() // whatever ends Serve, the port is given back
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		l.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close() // stop accepting packets at shutdown
		}
		s.mu.Unlock()
	}()
	var delay time.Duration // back-off after a failed accept
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				wg.Wait()
				return nil
			}
			// Out of file descriptors (EMFILE), a connection reset before it was taken:
			// the listener is still good. Wait and try again, as net/http does, instead of
			// giving up the receiver until a restart.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.opt.Logger.Warn("hj212 accept failed; retrying", "source", s.opt.Name, "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-ctx.Done():
			}
			continue
		}
		delay = 0
		cs, ok := s.admit(c)
		if !ok {
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.release(c, cs)
			s.handleConn(ctx, c, h, cs)
		}()
	}
}

func hostOf(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// admit applies the allow-list and the connection caps. When a cap is reached, the
// oldest connection that has not authenticated (for the per-address cap: from the same
// address) is evicted to make room: idle or guessing sockets cannot keep a station out,
// and an authenticated connection is never evicted.
func (s *Server) admit(c net.Conn) (*connState, bool) {
	host := hostOf(c.RemoteAddr())
	if len(s.opt.Allowed) > 0 && !inNets(s.opt.Allowed, host) {
		s.packets.WithLabelValues("address_refused").Inc()
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perAddr[host] >= s.opt.MaxConnsPerAddr && !inNets(s.opt.Unlimited, host) && !s.evictLocked(host) {
		s.packets.WithLabelValues("too_many_connections").Inc()
		return nil, false
	}
	if len(s.conns) >= s.opt.MaxConns && !s.evictLocked("") {
		s.packets.WithLabelValues("too_many_connections").Inc()
		return nil, false
	}
	now := s.now()
	cs := &connState{remote: host, opened: now, firstBy: now.Add(s.opt.FirstPacket), gone: make(chan struct{})}
	s.perAddr[host]++
	s.conns[c] = cs
	s.open.Inc()
	return cs, true
}

// evictLocked closes the oldest unauthenticated connection (from host, or from anywhere
// when host is empty) and takes it out of the counts at once, so that the newcomer has
// its slot. It reports whether there was one.
func (s *Server) evictLocked(host string) bool {
	var victim net.Conn
	var vs *connState
	for c, cs := range s.conns {
		if cs.authed.Load() || cs.evicted.Load() || (host != "" && cs.remote != host) {
			continue
		}
		if vs == nil || cs.opened.Before(vs.opened) {
			victim, vs = c, cs
		}
	}
	if vs == nil {
		return false
	}
	vs.evicted.Store(true)
	close(vs.gone)
	victim.Close()
	s.forgetLocked(victim, vs)
	return true
}

func (s *Server) forgetLocked(c net.Conn, cs *connState) {
	if s.perAddr[cs.remote]--; s.perAddr[cs.remote] <= 0 {
		delete(s.perAddr, cs.remote)
	}
	delete(s.conns, c)
	s.open.Dec()
}

func inNets(nets []*net.IPNet, host string) bool {
	ip := net.ParseIP(host)
	for _, n := range nets {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Server) release(c net.Conn, cs *connState) {
	c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !cs.evicted.Load() { // an evicted connection's slot went to its successor
		s.forgetLocked(c, cs)
	}
}

// handleConn reads packets: the first byte of each must come within the idle timeout, the
// whole packet within the read timeout after it (slow-loris clients are cut off), and an
// authenticated packet within the first-packet timeout of connecting (idle sockets must
// not hold the per-address slots that real stations behind the same NAT need).
func (s *Server) handleConn(ctx context.Context, c net.Conn, h collector.Handler, cs *connState) {
	br := bufio.NewReaderSize(c, s.opt.MaxSegment+64)
	fr := hj212.NewReader(br, s.opt.MaxSegment)
	var scratch hj212.Data // reused packet after packet on this connection
	deadline := func(d time.Duration) time.Time {
		t := s.now().Add(d)
		if !cs.authed.Load() && s.opt.FirstPacket > 0 && cs.firstBy.Before(t) {
			return cs.firstBy
		}
		return t
	}
	why := "peer"
	defer func() {
		switch {
		case ctx.Err() != nil:
			why = "shutdown"
		case cs.evicted.Load():
			why = "evicted"
		}
		s.closed.WithLabelValues(why).Inc()
	}()
	for ctx.Err() == nil {
		_ = c.SetReadDeadline(deadline(s.opt.IdleTimeout))
		if _, err := br.Peek(1); err != nil {
			why = s.timeoutReason(err, cs, "idle")
			return
		}
		_ = c.SetReadDeadline(deadline(s.opt.ReadTimeout))
		frame, err := fr.Next()
		if fr.Skipped() > 0 {
			s.packets.WithLabelValues("malformed").Inc() // noise before (or instead of) a frame
		}
		if err != nil {
			switch {
			case errors.Is(err, hj212.ErrTooLong):
				s.packets.WithLabelValues("too_long").Inc()
				why = "too_long"
			case errors.Is(err, hj212.ErrGarbage):
				why = "garbage"
			case errors.Is(err, os.ErrDeadlineExceeded):
				why = s.timeoutReason(err, cs, "read_timeout")
			case isEOF(err):
			default:
				s.packets.WithLabelValues("malformed").Inc()
				why = "malformed"
			}
			return // the stream cannot be trusted any more
		}
		reply, keep := s.handlePacket(ctx, frame, h, &scratch, cs)
		if reply != nil {
			_ = c.SetWriteDeadline(s.now().Add(s.opt.ReadTimeout))
			if _, err := c.Write(reply); err != nil {
				return
			}
		}
		if !keep {
			why = "malformed"
			if cs.authFails >= s.opt.MaxAuthFailures {
				why = "auth_failures"
			}
			return
		}
	}
}

// timeoutReason names why a read ended: the first-packet deadline when it was the one
// in force.
func (s *Server) timeoutReason(err error, cs *connState, otherwise string) string {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return "peer"
	}
	if !cs.authed.Load() && s.opt.FirstPacket > 0 && !s.now().Before(cs.firstBy) {
		return "first_packet_timeout"
	}
	return otherwise
}

func isEOF(err error) bool {
	return err != nil && (errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset"))
}

// handlePacket checks and applies one frame; it returns the answer to send (if any) and
// whether to keep the connection.
func (s *Server) handlePacket(ctx context.Context, frame []byte, h collector.Handler, scratch *hj212.Data, cs *connState) ([]byte, bool) {
	seg, err := hj212.Unframe(frame, s.opt.MaxSegment)
	if err != nil {
		if errors.Is(err, hj212.ErrCRC) {
			s.packets.WithLabelValues("crc").Inc()
			if p, perr := hj212.Parse(frame[6 : len(frame)-6]); perr == nil {
				return hj212.RequestAnswer(&p, hj212.QnRtn(err)), true
			}
			return nil, true
		}
		s.packets.WithLabelValues("malformed").Inc()
		return nil, false
	}
	p, err := hj212.Parse(seg)
	if err != nil {
		s.packets.WithLabelValues("malformed").Inc()
		return nil, false
	}
	dev := s.opt.Devices[p.MN] // nil: unknown, answered like a wrong password
	if refused, keep := s.authenticate(ctx, &p, dev, cs); refused != nil {
		return refused, keep
	}
	wantST := "22"
	if dev.Kind == reading.Water {
		wantST = "21"
	}
	if p.CN == "9014" || p.CN == "9013" || p.CN == "9011" || p.CN == "9012" {
		s.packets.WithLabelValues("answer").Inc()
		return nil, true // an answer from the station needs no answer
	}
	if p.ST != wantST {
		s.packets.WithLabelValues("st").Inc()
		return hj212.RequestAnswer(&p, 5), true
	}
	r, rejects, err := s.toReading(&p, dev, scratch)
	if err != nil {
		// Answered as what it is: a CN we do not take is 8 (CN error); a bad DataTime or
		// data area is not, and gets 100 (unknown error) with its own count.
		switch {
		case errors.Is(err, errCN):
			s.packets.WithLabelValues("cn").Inc()
			return hj212.RequestAnswer(&p, 8), true
		case errors.Is(err, hj212.ErrDataTime):
			s.packets.WithLabelValues("datatime").Inc()
		default:
			s.packets.WithLabelValues("cp").Inc()
		}
		return hj212.RequestAnswer(&p, 100), true
	}
	if !reading.TimeOK(r.End, s.now()) {
		// A time that has not come (or a clock never set): answered as the DataTime error
		// it is, not acknowledged and then thrown away downstream.
		s.packets.WithLabelValues("datatime").Inc()
		return hj212.RequestAnswer(&p, 100), true
	}
	b := &reading.Batch{Source: s.opt.Name, Readings: []reading.Reading{r}, Rejects: rejects}
	if len(r.Values) == 0 {
		b.Readings = nil // nothing usable: the rejects are still counted downstream
	}
	accepted, err := h.Handle(ctx, b)
	if err != nil {
		// Not acknowledged: the logger keeps the data and sends it again.
		s.packets.WithLabelValues("handler_error").Inc()
		s.opt.Logger.Warn("hj212 packet not stored", "mn", p.MN, "err", err)
		return nil, true
	}
	if accepted == 0 {
		// Every value refused (here or by the pipeline's checks): counted as what it is.
		s.packets.WithLabelValues("rejected").Inc()
		return hj212.RequestAnswer(&p, 100), true
	}
	s.accepted.Inc()
	if p.AckRequested() {
		return hj212.DataAck(&p), true
	}
	return nil, true
}
