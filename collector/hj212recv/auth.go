package hj212recv

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/envwatch/envwatch/hj212"
)

// Guessing is slowed per address and MN across connections, as a tarpit rather than a
// wall: once the wrong passwords of the last AuthWindow reach MaxAuthFailures, attempts
// for that MN from that address wait in line and one is examined per interval
// (AuthBackoff, doubling with every further failure up to MaxAuthBackoff). The station's
// right password still gets through when its turn comes, and a connection that already
// proved the password is never held up or closed by a neighbour's failures.

// maxGuards bounds the table: a scan of many addresses or MNs cannot grow it without
// limit (records quiet for two windows are dropped first; at the bound, a new key is not
// throttled and only the per-connection limit applies).
const maxGuards = 10000

// logEvery is how often one address+MN's failures are logged: one line with their count,
// not one line per guess.
const logEvery = time.Minute

// guard is the record of one MN from one address.
type guard struct {
	winStart  time.Time // start of the current window
	cur, prev int       // wrong passwords in the current and the previous window
	next      time.Time // while throttled: when the next attempt may be examined
	waiting   []*waiter // attempts in line, oldest first
	timer     *time.Timer
	logged    time.Time // last log line
	unlogged  int       // failures since
}

type waiter struct{ turn chan struct{} }

func guardKey(host, mn string) string { return host + " " + mn }

// roll moves the window forward to now.
func (g *guard) roll(now time.Time, w time.Duration) {
	d := now.Sub(g.winStart)
	if d < w {
		return
	}
	g.prev = g.cur
	if d >= 2*w {
		g.prev = 0
	}
	g.cur = 0
	g.winStart = now.Add(-(d % w))
}

// failures is the sliding-window count: the previous window weighted by the part of it
// still inside the window ending now, plus the current one.
func (g *guard) failures(now time.Time, w time.Duration) float64 {
	g.roll(now, w)
	frac := 1 - float64(now.Sub(g.winStart))/float64(w)
	return float64(g.prev)*frac + float64(g.cur)
}

// interval is the spacing of examined attempts, or 0 when the key is not throttled.
func (s *Server) interval(g *guard, now time.Time) time.Duration {
	n := int(g.failures(now, s.opt.AuthWindow)) - s.opt.MaxAuthFailures
	if n < 0 {
		return 0
	}
	d := s.opt.AuthBackoff
	for ; n > 0 && d < s.opt.MaxAuthBackoff; n-- {
		d *= 2
	}
	return min(d, s.opt.MaxAuthBackoff)
}

// turn waits until an attempt for mn from host may be examined. It returns false when the
// wait was abandoned (shutdown, or the connection was evicted); the caller answers
// without examining.
func (s *Server) turn(ctx context.Context, host, mn string, gone <-chan struct{}) (waited bool, ok bool) {
	s.mu.Lock()
	now := s.now()
	g := s.guards[guardKey(host, mn)]
	if g == nil || (len(g.waiting) == 0 && !now.Before(g.next)) {
		if g != nil {
			if d := s.interval(g, now); d > 0 {
				g.next = now.Add(d)
			}
		}
		s.mu.Unlock()
		return false, true
	}
	w := &waiter{turn: make(chan struct{})}
	g.waiting = append(g.waiting, w)
	if g.timer == nil {
		g.timer = time.AfterFunc(g.next.Sub(now), func() { s.grant(host, mn) })
	}
	s.mu.Unlock()
	select {
	case <-w.turn:
		return true, true
	case <-ctx.Done():
	case <-gone:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range g.waiting {
		if x == w {
			g.waiting = append(g.waiting[:i], g.waiting[i+1:]...)
			break
		}
	}
	return true, false
}

// grant gives the turn to the oldest attempt in line and arms the next one.
func (s *Server) grant(host, mn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guards[guardKey(host, mn)]
	if g == nil {
		return
	}
	g.timer = nil
	if len(g.waiting) == 0 {
		return
	}
	now := s.now()
	w := g.waiting[0]
	g.waiting = g.waiting[1:]
	close(w.turn)
	g.next = now.Add(max(s.interval(g, now), s.opt.AuthBackoff))
	if len(g.waiting) > 0 {
		g.timer = time.AfterFunc(g.next.Sub(now), func() { s.grant(host, mn) })
	}
}

// failed records a wrong password (or an unknown MN) and returns the failures to log —
// 0 until logEvery has passed since the key's last line.
func (s *Server) failed(host, mn string) (logNow int, window float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key := guardKey(host, mn)
	g := s.guards[key]
	if g == nil {
		if len(s.guards) >= maxGuards {
			s.dropQuietGuards(now)
		}
		if len(s.guards) >= maxGuards {
			return 1, 1
		}
		g = &guard{winStart: now}
		s.guards[key] = g
	}
	g.roll(now, s.opt.AuthWindow)
	g.cur++
	g.unlogged++
	window = g.failures(now, s.opt.AuthWindow)
	if d := s.interval(g, now); d > 0 && g.next.Before(now.Add(d)) {
		g.next = now.Add(d)
	}
	if now.Sub(g.logged) < logEvery {
		return 0, window
	}
	n := g.unlogged
	g.logged, g.unlogged = now, 0
	return n, window
}

func (s *Server) dropQuietGuards(now time.Time) {
	for k, g := range s.guards {
		if len(g.waiting) == 0 && g.timer == nil && now.Sub(g.winStart) >= 2*s.opt.AuthWindow {
			delete(s.guards, k)
		}
	}
}

// authenticate checks the PW of a packet for a configured device or an unknown MN
// (dev == nil). Both wrong answers are the same (QnRtn 3), so a guesser learns nothing of
// which MNs exist. It returns the answer to send when the packet is refused, and whether
// to keep the connection.
func (s *Server) authenticate(ctx context.Context, p *hj212.Packet, dev *Device, cs *connState) (refused []byte, keep bool) {
	if dev != nil && dev.NoAuth {
		cs.authed.Store(true)
		return nil, true
	}
	if dev != nil && cs.authedMN[p.MN] { // proved before: never held up by others' failures
		if subtle.ConstantTimeCompare([]byte(p.PW), []byte(dev.Password)) == 1 {
			return nil, true
		}
		return s.wrongPassword(p, dev, cs)
	}
	waited, ok := s.turn(ctx, cs.remote, p.MN, cs.gone)
	if waited {
		s.packets.WithLabelValues("auth_throttled").Inc()
	}
	if !ok {
		return hj212.RequestAnswer(p, 3), false
	}
	if dev == nil || subtle.ConstantTimeCompare([]byte(p.PW), []byte(dev.Password)) != 1 {
		return s.wrongPassword(p, dev, cs)
	}
	if cs.authedMN == nil {
		cs.authedMN = map[string]bool{}
	}
	cs.authedMN[p.MN] = true
	cs.authed.Store(true)
	return nil, true
}

// wrongPassword answers a wrong PW or an unknown MN (QnRtn 3), counts it and logs in
// aggregate — never the password sent — and closes the connection after MaxAuthFailures
// of its own.
func (s *Server) wrongPassword(p *hj212.Packet, dev *Device, cs *connState) ([]byte, bool) {
	if dev == nil {
		s.packets.WithLabelValues("unknown_mn").Inc()
	} else {
		s.packets.WithLabelValues("password").Inc()
		s.authFail.WithLabelValues(p.MN).Inc()
	}
	cs.authFails++
	if n, window := s.failed(cs.remote, p.MN); n > 0 {
		s.opt.Logger.Warn("hj212 wrong passwords", "mn", p.MN, "remote", cs.remote, "failures", n,
			"failures_in_window", int(window), "window", s.opt.AuthWindow, "known_mn", dev != nil)
	}
	return hj212.RequestAnswer(p, 3), cs.authFails < s.opt.MaxAuthFailures
}
