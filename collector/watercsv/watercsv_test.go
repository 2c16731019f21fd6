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
	"github.com/envwatch/envwatch/reading"
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
	if b.Rejects[0].Detail != `lab.csv:3: column "nh3n": invalid value "x": not a decimal number, "<limit", "limitL" or ND` ||
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

// Laboratory notations of below-detection results are read with their limit and flag L;
// a flag column still decides; a header naming one item twice is refused.
func TestBelowDetectionNotationsAndDuplicateItems(t *testing.T) {
	p := &Parser{Location: time.FixedZone("CST", 8*3600)}
	in := "time,section,hg,cd,nh3n,nh3n_flag\n" +
		"2025-01-01,W1,0.00004L,ND,0.02,L\n" +
		"2025-02-01,W1,<0.00004,0.001,0.3,\n"
	rs, rejects, err := p.Parse(strings.NewReader(in), "lab.csv")
	if err != nil || len(rejects) != 0 || len(rs) != 2 {
		t.Fatalf("readings %d rejects %v err %v", len(rs), rejects, err)
	}
	got := func(r reading.Reading) string {
		var out []string
		for _, v := range r.Values {
			out = append(out, v.Code+"="+v.V.String()+":"+v.Flag)
		}
		return strings.Join(out, " ")
	}
	if g := got(rs[0]); g != "hg=0.00004:L cd=0:L nh3n=0.02:L" {
		t.Errorf("first row %s", g)
	}
	if g := got(rs[1]); g != "hg=0.00004:L cd=0.001:N nh3n=0.3:N" {
		t.Errorf("second row %s", g)
	}
	_, _, err = p.Parse(strings.NewReader("time,section,nh3n,w21003\n2025-01-01,W1,0.3,0.4\n"), "dup.csv")
	if err == nil || err.Error() != `dup.csv:1: columns "nh3n" and "w21003" are both nh3n` {
		t.Errorf("duplicate item columns: %v", err)
	}
}
