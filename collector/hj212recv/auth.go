package hj212recv

import (
	"time"

	"github.com/envwatch/envwatch/hj212"
)

// penaltyKey is the unit of back-off: one MN from one address. Stations behind the same
// NAT with other MNs are not locked out by a neighbour's guessing.
func penaltyKey(host, mn string) string { return host + " " + mn }

// backedOff reports whether an address is serving a back-off for an MN.
func (s *Server) backedOff(host, mn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.penalty[penaltyKey(host, mn)]
	return p != nil && s.now().Before(p.until)
}

// authFailed records a connection that reached MaxAuthFailures: packets for that MN from
// that address are refused for a back-off that doubles with every repeat, so guessing a
// password takes years instead of minutes. A record is forgotten only after a quiet
// MaxAuthBackoff, never by a success: a neighbour's good packets must not reset it.
func (s *Server) authFailed(host, mn string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key := penaltyKey(host, mn)
	p := s.penalty[key]
	if p != nil && now.After(p.until.Add(s.opt.MaxAuthBackoff)) {
		p = nil // quiet long enough: start again
	}
	if p == nil {
		if len(s.penalty) >= maxPenalties {
			for k, q := range s.penalty {
				if now.After(q.until.Add(s.opt.MaxAuthBackoff)) {
					delete(s.penalty, k)
				}
			}
		}
		if len(s.penalty) >= maxPenalties {
			return 0 // full of live records: the per-connection limit still applies
		}
		p = &penalty{}
		s.penalty[key] = p
	}
	p.backoff = min(max(2*p.backoff, s.opt.AuthBackoff), s.opt.MaxAuthBackoff)
	p.until = now.Add(p.backoff)
	return p.backoff
}

// wrongPassword answers a wrong PW (QnRtn 3), counts and logs it — never the password
// sent — and after MaxAuthFailures on one connection closes it and starts the address's
// back-off.
func (s *Server) wrongPassword(p *hj212.Packet, cs *connState) ([]byte, bool) {
	s.packets.WithLabelValues("password").Inc()
	s.authFail.WithLabelValues(p.MN).Inc()
	cs.authFails++
	if cs.authFails < s.opt.MaxAuthFailures {
		s.opt.Logger.Warn("hj212 wrong password", "source", s.opt.Name, "mn", p.MN, "remote", cs.remote, "failures", cs.authFails)
		return hj212.RequestAnswer(p, 3), true
	}
	backoff := s.authFailed(cs.remote, p.MN)
	s.opt.Logger.Warn("hj212 wrong password: connection closed, address backed off", "source", s.opt.Name, "mn", p.MN,
		"remote", cs.remote, "failures", cs.authFails, "backoff", backoff)
	return hj212.RequestAnswer(p, 3), false
}
