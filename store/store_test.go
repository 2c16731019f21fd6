package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestOpenSchemaAndHighWater(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d %v", v, err)
	}
	if _, ok, _ := s.HighWater("demo"); ok {
		t.Fatal("fresh store has a high-water mark")
	}
	t1 := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	if err := s.SetHighWater("demo", t1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHighWater("demo", t1.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s.HighWater("demo"); !ok || !got.Equal(t1) {
		t.Errorf("high-water %v %v, want %v (marks never move back)", got, ok, t1)
	}
	if s.Size() <= 0 {
		t.Error("size not reported")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen: the mark survives.
	s, err = Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, ok, _ := s.HighWater("demo"); !ok || !got.Equal(t1) {
		t.Errorf("after reopen %v %v", got, ok)
	}
}

func TestLockedByAnother(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(dir, 100*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestSaveAndLoadEngines(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mark := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	err = s.SaveEngines([]AirDay{{"1812A", 19144, []byte{1, 2}}, {"1814A", 19145, []byte{3}}},
		[]WaterSample{{"W1", 1654041600, []byte("ph=7.5:N")}}, map[string]time.Time{"demo": mark})
	if err != nil {
		t.Fatal(err)
	}
	var air []AirDay
	s.LoadAir(func(d AirDay) error { air = append(air, d); return nil })
	var water []WaterSample
	s.LoadWater(func(w WaterSample) error { water = append(water, w); return nil })
	if len(air) != 2 || air[0].Station != "1812A" || air[0].Day != 19144 || len(water) != 1 || string(water[0].Data) != "ph=7.5:N" || water[0].Unix != 1654041600 {
		t.Errorf("loaded %+v %+v", air, water)
	}
	if got, ok, _ := s.HighWater("demo"); !ok || !got.Equal(mark) {
		t.Errorf("mark %v", got)
	}
}

// Dropping the state file's pages from the resident set is advice only: everything reads
// back the same afterwards, and the store keeps taking writes.
func TestDropResidentKeepsData(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var days []AirDay
	for i := range 2000 {
		days = append(days, AirDay{Station: "1812A", Day: int32(19000 + i), Data: bytes.Repeat([]byte{byte(i)}, 200)})
	}
	if err := s.SaveEngines(days, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DropResident(); err != nil {
		t.Fatalf("DropResident: %v", err)
	}
	n := 0
	err = s.LoadAir(func(d AirDay) error {
		if want := days[d.Day-19000]; d.Station != want.Station || !bytes.Equal(d.Data, want.Data) {
			t.Errorf("day %d read back %x…", d.Day, d.Data[:4])
		}
		n++
		return nil
	})
	if err != nil || n != len(days) {
		t.Fatalf("read back %d days, %v", n, err)
	}
	if err := s.SaveEngines(days[:1], nil, nil); err != nil {
		t.Errorf("write after DropResident: %v", err)
	}
}
