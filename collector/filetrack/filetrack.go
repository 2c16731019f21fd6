// Package filetrack finds the files of a directory (or one file) that a file-based source
// has not processed yet, and remembers processed files by path and content digest in the
// source's state, so a new file is read once and a revised file again.
package filetrack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/reading"
)

// Tracker tracks one directory tree (every file with Ext below Dir) or one File.
type Tracker struct {
	Dir, File string
	Ext       string // ".csv"
	State     collector.State
	MaxSize   int64 // per file, default 256 MiB

	pending map[string][]byte
}

// File is a file to process.
type File struct {
	Name string // relative to Dir (or the base name of File)
	Data []byte
}

// Walk hands the new or changed files (all with all set) to fn one at a time, in name
// order, skipping names ≤ after (a resumed backfill); fn also gets the file's position and
// the number of files. Unreadable files go to failed. The files handed over are pending
// until Commit.
func (t *Tracker) Walk(ctx context.Context, all bool, after string, fn func(f File, i, n int) error, failed func(error)) error {
	paths, root, err := t.list()
	if err != nil {
		return err
	}
	max := t.MaxSize
	if max <= 0 {
		max = 256 << 20
	}
	t.pending = map[string][]byte{}
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if after != "" && rel <= after {
			continue
		}
		data, err := readLimited(path, max)
		if err != nil {
			failed(fmt.Errorf("%s: %w", rel, err))
			continue
		}
		sum := sha256.Sum256(data)
		digest := []byte(hex.EncodeToString(sum[:]))
		if !all {
			prev, err := t.State.Get("file:" + rel)
			if err != nil {
				return err
			}
			if bytes.Equal(prev, digest) {
				continue
			}
		}
		t.pending["file:"+rel] = digest
		if err := fn(File{Name: rel, Data: data}, i, len(paths)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tracker) list() (paths []string, root string, err error) {
	if t.File != "" {
		return []string{t.File}, filepath.Dir(t.File), nil
	}
	err = filepath.WalkDir(t.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(path), t.Ext) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("scanning %s: %w", t.Dir, err)
	}
	sort.Strings(paths)
	return paths, t.Dir, nil
}

// Commit records the files of the last Changed as processed.
func (t *Tracker) Commit() error {
	if len(t.pending) == 0 {
		return nil
	}
	type many interface{ PutMany(map[string][]byte) error }
	if m, ok := t.State.(many); ok {
		if err := m.PutMany(t.pending); err != nil {
			return err
		}
	} else {
		for k, v := range t.pending {
			if err := t.State.Put(k, v); err != nil {
				return err
			}
		}
	}
	clear(t.pending) // Walk may still be adding: keep the map
	return nil
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Size() < max {
		size = st.Size() + bytes.MinRead // ReadFrom wants MinRead free to try for EOF
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err = buf.ReadFrom(io.LimitReader(f, max+1))
	data := buf.Bytes()
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// Parser turns one file into readings and rejects (a source kind's format).
type Parser func(r io.Reader, name string) ([]reading.Reading, []reading.Reject, error)

// Source is a file-based pull source: new or changed files each run, all files in a
// backfill (streamed one at a time), processed files committed after the pipeline took them.
type Source struct {
	Files *Tracker
	Parse Parser
}

// Fetch implements collector.Pull. Outside a backfill it delivers every reading of the new
// files whatever the window; in a backfill it re-reads all files and keeps the window.
func (s *Source) Fetch(ctx context.Context, w collector.Window) (*reading.Batch, error) {
	b := &reading.Batch{}
	err := s.Files.Walk(ctx, w.Backfill, "", func(f File, _, _ int) error {
		s.parseInto(b, f, w)
		return nil
	}, func(e error) {
		b.Rejects = append(b.Rejects, reading.Reject{Reason: "unreadable_file", Detail: e.Error()})
	})
	return b, err
}

// Stream implements collector.Streamer: one batch per file, for backfills.
func (s *Source) Stream(ctx context.Context, w collector.Window, after string, emit func(*reading.Batch, string, int, int) error) error {
	return s.Files.Walk(ctx, true, after, func(f File, i, n int) error {
		b := &reading.Batch{}
		s.parseInto(b, f, w)
		return emit(b, f.Name, i, n)
	}, func(e error) {
		_ = emit(&reading.Batch{Rejects: []reading.Reject{{Reason: "unreadable_file", Detail: e.Error()}}}, "", 0, 0)
	})
}

func (s *Source) parseInto(b *reading.Batch, f File, w collector.Window) {
	rs, rejects, err := s.Parse(bytes.NewReader(f.Data), f.Name)
	if err != nil {
		b.Rejects = append(b.Rejects, reading.Reject{Reason: "bad_file", Detail: err.Error()})
		return
	}
	if w.Backfill { // keep what lies in the window, in place
		keep := rs[:0]
		for _, r := range rs {
			if w.Contains(r.End) {
				keep = append(keep, r)
			}
		}
		rs = keep
	}
	if b.Readings == nil {
		b.Readings = rs
	} else {
		b.Readings = append(b.Readings, rs...)
	}
	b.Rejects = append(b.Rejects, rejects...)
}

// Commit implements collector.Committer.
func (s *Source) Commit(context.Context) error { return s.Files.Commit() }
