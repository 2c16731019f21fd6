package watercsv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/filetrack"
)

type memState map[string][]byte

func (m memState) Get(k string) ([]byte, error) { return m[k], nil }
func (m memState) Put(k string, v []byte) error { m[k] = v; return nil }

func TestParseAndTrack(t *testing.T) {
	dir := t.TempDir()
	in := "time,section,ph,do,nh3n,w20111,tp,tp_flag\n" +
		"2022-01-05,hh-dahengling,7.5,7.0,0.3,0.08,0.08,\n" +
		"2022-02-05 10:30,hh-dahengling,7.6,6.8,x,,0.09,M\n" +
		"05/03/2022,hh-dahengling,7.6,6.8,0.2,,0.09,\n"
	os.WriteFile(filepath.Join(dir, "lab.csv"), []byte(in), 0o644)
	loc := time.FixedZone("CST", 8*3600)
	src := &filetrack.Source{Files: &filetrack.Tracker{Dir: dir, Ext: ".csv", State: memState{}}, Parse: (&Parser{Location: loc}).ParseGroups}
	b, err := src.Fetch(context.Background(), collector.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Readings) != 2 || len(b.Rejects) != 2 {
		t.Fatalf("readings %d rejects %v", len(b.Readings), b.Rejects)
	}
	if b.Rejects[0].Detail != `lab.csv:3: column "nh3n": invalid value "x": not a decimal number` ||
		!strings.HasPrefix(b.Rejects[1].Detail, `lab.csv:4: column "time": invalid value "05/03/2022"`) {
		t.Errorf("rejects %v", b.Rejects)
	}
	r := b.Readings[0]
	got := ""
	for _, v := range r.Values {
		got += v.Code + "=" + v.V.String() + "/" + v.Flag + " "
	}
	// w20111 (total mercury) is sent in µg/L: 0.08 µg/L = 0.00008 mg/L.
	if r.End.Format(time.RFC3339) != "2022-01-04T16:00:00Z" || got != "ph=7.5/N do=7/N nh3n=0.3/N hg=0.00008/N tp=0.08/N " {
		t.Errorf("first reading %s %s", r.End.Format(time.RFC3339), got)
	}
	if f := b.Readings[1].Values[len(b.Readings[1].Values)-1]; f.Code != "tp" || f.Flag != "M" {
		t.Errorf("flag column not read: %+v", f)
	}
	if err := src.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := src.Fetch(context.Background(), collector.Window{}); len(b.Readings) != 0 {
		t.Errorf("an unchanged file was read again: %d", len(b.Readings))
	}
	// backfill re-reads, keeping the window
	w := collector.Window{From: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), Backfill: true}
	if b, _ := src.Fetch(context.Background(), w); len(b.Readings) != 1 {
		t.Errorf("backfill of February: %d readings, want 1", len(b.Readings))
	}
	p := &Parser{Location: loc}
	if _, _, err := p.Parse(strings.NewReader("time,section,w99999\n"), "x.csv"); err == nil || !strings.Contains(err.Error(), `unknown HJ 212 water code "w99999"`) {
		t.Errorf("unknown code: %v", err)
	}
}
