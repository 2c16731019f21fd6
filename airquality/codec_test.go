package airquality

import (
	"math/rand/v2"
	"testing"
)

// Any day survives the compact encoding, and days stored in the fixed form by earlier
// versions still load.
func TestStationDayCompactRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		var d StationDay
		for p := 0; p < NumPollutants; p++ {
			d.mask[p] = rng.Uint32() & (1<<hoursPerDay - 1)
			if i%7 == 0 {
				d.mask[p] = 1<<hoursPerDay - 1
			}
			for h := 0; h < hoursPerDay; h++ {
				if d.mask[p]&(1<<h) == 0 {
					continue
				}
				switch i % 3 {
				case 0: // whole µg/m³, as published
					d.hours[p][h] = int32(rng.IntN(1000)) * 1000
				case 1: // tenths (CO in mg/m³)
					d.hours[p][h] = int32(rng.IntN(200)) * 100
				default: // anything in range
					d.hours[p][h] = int32(rng.Int64N(maxMilli + 1))
				}
			}
			if i%4 == 1 { // slots the station says it does not monitor (CNEMC "/")
				d.unmonitored[p] = rng.Uint32() & (1<<hoursPerDay - 1) &^ d.mask[p]
			}
		}
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back StationDay
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("day %d: %v", i, err)
		}
		if back != d {
			t.Fatalf("day %d: round trip changed the day", i)
		}
		if d.hasUnmonitored() {
			continue // the fixed form predates them
		}
		var old StationDay
		if err := old.UnmarshalBinary(d.appendFixed(nil)); err != nil || old != d {
			t.Fatalf("day %d: fixed form: %v", i, err)
		}
	}
}

// A day with pollutants not monitored keeps them through the encoding, also when its
// compact form has the fixed form's length and is padded instead (MarshalBinary).
func TestStationDayNotMonitoredEncoding(t *testing.T) {
	var d StationDay
	d.set(PM25, 0, 35000)
	d.setUnmonitored(SO2, 0)
	d.setUnmonitored(CO, 5)
	b := d.AppendCompact(nil)
	for _, enc := range [][]byte{b, append(append([]byte{}, b...), 0)} {
		var back StationDay
		if err := back.UnmarshalBinary(enc); err != nil || back != d {
			t.Fatalf("%x: %v, decoded %+v", enc, err, back.unmonitored)
		}
		if !back.NotMonitored(SO2, 0) || !back.NotMonitored(CO, 5) || back.NotMonitored(CO, 0) {
			t.Errorf("not-monitored slots lost: %v", back.unmonitored)
		}
	}
	// A value for the slot replaces the "/", and a flagged one clears it too.
	d.set(SO2, 0, 5000)
	d.clear(CO, 5)
	if d.NotMonitored(SO2, 0) || d.NotMonitored(CO, 5) || d.hasUnmonitored() {
		t.Errorf("not-monitored slots kept after a value or a flag: %v", d.unmonitored)
	}
}

// A full day of whole-µg/m³ values with small hour-to-hour changes takes, per pollutant,
// a 4-byte mask varint, the scale byte and one byte per hour: 174 bytes, not 600.
func TestStationDayCompactSize(t *testing.T) {
	var d StationDay
	base := [NumPollutants]int32{12, 40, 0, 35, 0, 60}
	for p := 0; p < NumPollutants; p++ {
		d.mask[p] = 1<<hoursPerDay - 1
		for h := 0; h < hoursPerDay; h++ {
			d.hours[p][h] = (base[p] + int32(h%5)) * 1000
			if p == int(CO) {
				d.hours[p][h] = int32(6+h%3) * 100 // 0.6 … 0.8 mg/m³
			}
		}
	}
	b, _ := d.MarshalBinary()
	if want := NumPollutants * (4 + 1 + hoursPerDay); len(b) != want {
		t.Errorf("compact day %d bytes, want %d (fixed form %d)", len(b), want, stationDayBytes)
	}
}

func TestStationDayCorruptRejected(t *testing.T) {
	var d StationDay
	d.mask[PM25] = 0b111
	d.hours[PM25] = [hoursPerDay]int32{35000, 36000, 37000}
	good, _ := d.MarshalBinary()
	badScale := append([]byte{}, good...)
	badScale[int(PM25)+1] = 7 // the empty masks before PM2.5 and its own take a byte each
	for name, b := range map[string][]byte{
		"empty":     {},
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"bad scale": badScale,
	} {
		before := d
		if err := d.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if d != before {
			t.Errorf("%s: a failed decode changed the day", name)
		}
	}
}
