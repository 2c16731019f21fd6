// Package cnemcsample opens the real CNEMC live-feed sample kept in its testdata: five
// days of the national real-time publication for every station of the country (2026-02-28,
// 2026-03-01/02 across the change to HJ 633-2026, 2026-07-01/02, each with the next day's
// T00 file), as crawled by GitHub StorywithLove/workflow (Apache-2.0), Archive/CNEMC/ at
// commit c6e070ff1d94b3744865e6a291fba2e7fe84d521, unedited (testdata/README.md). Tests
// of the feed reader, of the real-time AQI and of the daily values against the platform's
// published figures read it; nothing in the service does.
package cnemcsample

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/ulikunitz/xz"
)

// File is one hourly file of the sample: its name inside the archive
// (YYYY-MM-DD/YYYY-MM-DDTHH.csv) and its content.
type File struct {
	Name string
	Data []byte
}

// Path is the sample archive's location in this repository.
func Path() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "testdata", "cnemc_live_2026_sample.tar.xz")
}

// maxFile bounds one member: the sample's files are ~180 KB.
const maxFile = 8 << 20

// Files returns every CSV file of the sample in name order.
func Files() ([]File, error) {
	f, err := os.Open(Path())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := xz.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Path(), err)
	}
	tr := tar.NewReader(zr)
	var out []File
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Path(), err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".csv") {
			continue
		}
		if h.Size > maxFile {
			return nil, fmt.Errorf("%s: %s: %d bytes, larger than any file of the sample", Path(), h.Name, h.Size)
		}
		b, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", Path(), h.Name, err)
		}
		out = append(out, File{Name: strings.TrimPrefix(h.Name, "./"), Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Extract writes the sample's files below dir in the archive's layout and returns them.
func Extract(dir string) ([]File, error) {
	files, err := Files()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	return files, nil
}
