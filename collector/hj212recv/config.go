package hj212recv

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/waterquality"
)

// FromConfig builds a server from its configuration.
func FromConfig(c config.Source, env collector.Env, m *Metrics) (*Server, error) {
	k := c.HJ212
	opt := Options{Listen: k.Listen, MaxConns: k.MaxConnections, MaxConnsPerAddr: k.MaxConnectionsPerAddr,
		MaxSegment: k.MaxSegmentBytes, ReadTimeout: time.Duration(k.ReadTimeout), IdleTimeout: time.Duration(k.IdleTimeout),
		FirstPacket: time.Duration(k.FirstPacketTimeout), MaxAuthFailures: k.MaxAuthFailures, AuthWindow: time.Duration(k.AuthWindow),
		AuthBackoff: time.Duration(k.AuthBackoff), MaxAuthBackoff: time.Duration(k.MaxAuthBackoff),
		ValidFlags: map[string]bool{}, Devices: map[string]*Device{}, Name: c.Name, Logger: env.Logger}
	loc, err := env.Zone(c)
	if err != nil {
		return nil, err
	}
	opt.Location = loc
	for _, f := range k.ValidFlags {
		opt.ValidFlags[f] = true
	}
	if k.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(k.TLSCertFile, k.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("hj212 TLS: %w", err)
		}
		opt.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	for _, a := range k.AllowedAddresses {
		opt.Allowed = append(opt.Allowed, a.IPNet)
	}
	for _, a := range k.UnlimitedNetworks {
		opt.Unlimited = append(opt.Unlimited, a.IPNet)
	}
	for _, d := range k.Devices {
		pw := d.Password
		if d.PasswordEnv != "" || d.PasswordFile != "" {
			var err error
			if pw, err = secret.Read(d.PasswordEnv, d.PasswordFile); err != nil {
				return nil, fmt.Errorf("device %s: password: %w", d.MN, err)
			}
		}
		dev := &Device{MN: d.MN, Password: pw, NoAuth: d.Auth == "none", Site: d.Site, Codes: map[string]Code{}}
		switch {
		case dev.NoAuth:
			env.Logger.Warn("hj212 device accepts any password (auth: none)", "mn", d.MN, "site", d.Site)
		case pw == "":
			// Validation refuses this; a variable unset between check and start is caught here.
			return nil, fmt.Errorf("device %s: no password (set password_env or password_file, or auth: none)", d.MN)
		}
		if d.Kind == "water" {
			dev.Kind = reading.Water
		} else {
			dev.Kind = reading.Air
		}
		if err := dev.setCodes(d); err != nil {
			return nil, fmt.Errorf("device %s: %w", d.MN, err)
		}
		opt.Devices[d.MN] = dev
	}
	return New(opt, m), nil
}

func (dev *Device) setCodes(d config.HJ212Device) error {
	if dev.Kind == reading.Air {
		for code, ours := range airCodes {
			dev.Codes[code] = Code{Code: ours}
		}
		for code, ours := range d.Codes {
			if _, ok := airquality.ParsePollutant(ours); !ok {
				return fmt.Errorf("codes.%s: %q is not an air pollutant code", code, ours)
			}
			dev.Codes[code] = Code{Code: ours}
		}
		for code, unit := range d.Units {
			c, ok := dev.Codes[code]
			if !ok {
				return fmt.Errorf("units.%s: code not mapped", code)
			}
			unit = config.CanonicalUnit(unit)
			switch {
			case c.Code == "co" && unit == "ug/m3":
				c.Div = 1000
			case c.Code != "co" && unit == "mg/m3":
				c.Mul = 1000
			}
			dev.Codes[code] = c
		}
		return nil
	}
	for code, def := range waterCodesAll() {
		dev.Codes[code] = def
	}
	for code, ours := range d.Codes {
		it, ok := waterquality.ParseItem(ours)
		if !ok {
			return fmt.Errorf("codes.%s: %q is not a water item code", code, ours)
		}
		dev.Codes[code] = Code{Code: it.Code()}
	}
	for code, unit := range d.Units {
		c, ok := dev.Codes[code]
		if !ok {
			return fmt.Errorf("units.%s: code not mapped", code)
		}
		c.Div = 1
		if config.CanonicalUnit(unit) == "ug/L" {
			c.Div = 1000
		}
		dev.Codes[code] = c
	}
	return nil
}

func waterCodesAll() map[string]Code {
	out := map[string]Code{}
	for _, code := range waterquality.Codes() {
		c, _ := waterquality.LookupCode(code)
		wc := Code{Code: c.Item.Code()}
		if c.Unit == "µg/L" {
			wc.Div = 1000
		}
		out[code] = wc
	}
	return out
}

// SameConfig reports whether o would serve exactly as s does — the same listener, limits,
// devices, passwords (as read from their files and variables) and certificates — so that a
// reload can keep s, and its stations' connections, instead of starting o.
func (s *Server) SameConfig(o *Server) bool {
	a, b := s.opt, o.opt
	if !sameTLS(a.TLS, b.TLS) || a.Location.String() != b.Location.String() {
		return false
	}
	a.TLS, b.TLS, a.Logger, b.Logger, a.Location, b.Location = nil, nil, nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

func sameTLS(a, b *tls.Config) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Certificates) != len(b.Certificates) {
		return false
	}
	for i := range a.Certificates {
		if !slices.EqualFunc(a.Certificates[i].Certificate, b.Certificates[i].Certificate, bytes.Equal) {
			return false
		}
	}
	return true
}
