// Package conncap caps the open connections of an http.Server. Keep-alive connections
// held idle (even after a 401) and sockets that never send a request would otherwise
// grow without bound and exhaust the process's file descriptors, which also serve the
// HJ 212 receiver and InfluxDB writes.
package conncap

import (
	"net"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Limiter is installed as the server's ConnState hook. At the cap a new connection first
// takes the place of an idle keep-alive connection (its client reconnects when it needs
// to); only when none is idle is the newcomer closed, counted as refused.
type Limiter struct {
	max     int
	mu      sync.Mutex
	open    int
	idle    map[net.Conn]struct{}
	refused prometheus.Counter
	evicted prometheus.Counter
}

// New returns a limiter of max connections whose counters are registered on reg.
func New(max int, reg prometheus.Registerer) *Limiter {
	l := &Limiter{max: max, idle: map[net.Conn]struct{}{},
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "envwatch_web_connections_refused_total",
			Help: "HTTP connections closed at once because --web.max-connections were open and none was idle."}),
		evicted: prometheus.NewCounter(prometheus.CounterOpts{Name: "envwatch_web_connections_evicted_total",
			Help: "Idle keep-alive HTTP connections closed to make room for a new one at --web.max-connections."}),
	}
	if reg != nil {
		reg.MustRegister(l.refused, l.evicted)
	}
	return l
}

// ConnState tracks one connection's state change.
func (l *Limiter) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateNew:
		l.open++
		if l.open <= l.max {
			return
		}
		for old := range l.idle {
			delete(l.idle, old)
			old.Close() // counted down when the server sees it closed
			l.evicted.Inc()
			return
		}
		c.Close()
		l.refused.Inc()
	case http.StateIdle:
		l.idle[c] = struct{}{}
	case http.StateActive:
		delete(l.idle, c)
	case http.StateClosed, http.StateHijacked:
		delete(l.idle, c)
		l.open--
	}
}
