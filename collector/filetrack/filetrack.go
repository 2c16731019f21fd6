// Package filetrack finds the files of a directory (or one file) that a file-based source
// has not processed yet, and remembers processed files by path and content digest in the
// source's state, so a new file is read once and a revised file again.
//
// Memory stays proportional to the work in flight, not to the files: a file's size is
// checked before it is opened for parsing, its digest is computed while streaming it,
// and its rows reach the pipeline in groups of Group readings.
package filetrack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/reading"
)

// Defaults of Tracker.MaxSize and Source.Group.
const (
	DefaultMaxSize = 256 << 20
	DefaultGroup   = 10000
)

// Tracker tracks one directory tree (every file with Ext below Dir) or one File.
type Tracker struct {
	Dir, File string
	Ext       string // ".csv"
	State     collector.KeyValue
	MaxSize   int64 // per file, default DefaultMaxSize
	// Dated, when set, tells from a file's name the first and last period end it can hold
	// (ok false: the name does not say). A backfill does not open a file whose span lies
	// outside its window.
	Dated func(rel string) (first, last time.Time, ok bool)

	pending map[string][]byte
}

// File is a file to process: its name relative to Dir (or the base name of File) and
// where it is. Open it to read it.
type File struct {
	Name string
	Path string
	Size int64
}

// Walk hands the new or changed files (all with all set) to fn one at a time, in name
// order, skipping names ≤ after (a resumed backfill); fn also gets the file's position and
// the number of files. Unreadable and oversized files go to failed — an oversized one
// once: it is remembered by path, size and modification time and passed over silently
// until it changes. The files handed over are pending until Commit.
func (t *Tracker) Walk(ctx context.Context, all bool, after string, fn func(f File, i, n int) error, failed func(error)) error {
	return t.WalkIn(ctx, nil, all, after, fn, failed)
}

// WalkIn is Walk restricted to the files that can hold a period end of w (by Dated; w nil
// or Dated unset: every file). Files outside are neither opened nor counted as processed.
func (t *Tracker) WalkIn(ctx context.Context, w *collector.Window, all bool, after string, fn func(f File, i, n int) error, failed func(error)) error {
	paths, root, err := t.list()
	if err != nil {
		return err
	}
	max := t.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
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
		if w != nil && t.Dated != nil {
			if first, last, ok := t.Dated(rel); ok && (!last.After(w.From) || first.After(w.To)) {
				continue
			}
		}
		st, err := os.Stat(path)
		if err != nil {
			failed(fmt.Errorf("%s: %w", rel, err))
			continue
		}
		if st.Size() > max {
			stamp := []byte(strconv.FormatInt(st.Size(), 10) + "/" + strconv.FormatInt(st.ModTime().UnixNano(), 10))
			prev, err := t.State.Get("refused:" + rel)
			if err != nil {
				return err
			}
			if string(prev) != string(stamp) {
				failed(fmt.Errorf("%s: %d bytes, larger than the limit of %d: not read (split the file or raise the limit)", rel, st.Size(), max))
				if err := t.State.Put("refused:"+rel, stamp); err != nil {
					return err
				}
			}
			continue
		}
		digest, err := fileDigest(path, max)
		if err != nil {
			failed(fmt.Errorf("%s: %w", rel, err))
			continue
		}
		if !all {
			prev, err := t.State.Get("file:" + rel)
			if err != nil {
				return err
			}
			if string(prev) == string(digest) {
				continue
			}
		}
		t.pending["file:"+rel] = digest
		if err := fn(File{Name: rel, Path: path, Size: st.Size()}, i, len(paths)); err != nil {
			return err
		}
	}
	return nil
}

// fileDigest hashes a file without holding it: a file that grew past max since its size
// was checked is refused rather than read to the end.
func fileDigest(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("grew past the limit of %d bytes while being read", max)
	}
	return []byte(hex.EncodeToString(h.Sum(nil))), nil
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

// Commit records the files handed over by Walk so far as processed.
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

// Parser reads one file and hands its readings and rejects to emit in groups of at most
// group readings (a source kind's format).
type Parser func(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error

// Source is a file-based pull source: new or changed files each run, all files in a
// backfill, streamed a group of rows at a time; processed files are committed after the
// pipeline took them.
type Source struct {
	Files *Tracker
	Parse Parser
	Group int // readings per batch, default DefaultGroup
}

// Fetch implements collector.Pull, for one-off fetches (run --once): the new files (all of
// them in a backfill, kept to the window) as one batch. Scheduled runs and backfills
// stream instead.
func (s *Source) Fetch(ctx context.Context, w collector.Window) (*reading.Batch, error) {
	b := &reading.Batch{}
	err := s.Stream(ctx, w, "", func(g *reading.Batch, _ string, _, _ int) error {
		b.Readings = append(b.Readings, g.Readings...)
		b.Rejects = append(b.Rejects, g.Rejects...)
		return nil
	})
	return b, err
}

// Stream implements collector.Streamer: a batch per group of rows, the last group of each
// file carrying the file's name as its mark. Outside a backfill only new or changed files
// are read and the window is ignored (a drop folder has no time); in a backfill every file
// is read and what lies outside the window is left out.
func (s *Source) Stream(ctx context.Context, w collector.Window, after string, emit func(*reading.Batch, string, int, int) error) error {
	group := s.Group
	if group <= 0 {
		group = DefaultGroup
	}
	var within *collector.Window
	if w.Backfill {
		within = &w
	}
	return s.Files.WalkIn(ctx, within, w.Backfill, after, func(f File, i, n int) error {
		fh, err := os.Open(f.Path)
		if err != nil {
			return emit(&reading.Batch{Rejects: []reading.Reject{{Reason: "unreadable_file", Detail: fmt.Sprintf("%s: %v", f.Name, err)}}}, f.Name, i, n)
		}
		defer fh.Close()
		var held *reading.Batch // one group behind, so that the last one carries the mark
		var emitErr error
		perr := s.Parse(io.LimitReader(fh, f.Size), f.Name, group, func(rs []reading.Reading, rejects []reading.Reject) error {
			kept := keep(rs, w)
			b := &reading.Batch{Readings: kept, Rejects: rejects, OutsideWindow: len(rs) - len(kept)}
			if held != nil {
				if emitErr = emit(held, "", i, n); emitErr != nil {
					return emitErr
				}
			}
			held = b
			return nil
		})
		if emitErr != nil {
			return emitErr
		}
		if held == nil {
			held = &reading.Batch{}
		}
		if perr != nil {
			held.Rejects = append(held.Rejects, reading.Reject{Reason: "bad_file", Detail: perr.Error()})
		}
		return emit(held, f.Name, i, n)
	}, func(e error) {
		_ = emit(&reading.Batch{Rejects: []reading.Reject{{Reason: "unreadable_file", Detail: e.Error()}}}, "", 0, 0)
	})
}

// keep returns the readings inside a backfill's window, in place (hour-ending values by
// their end, samples by their instant: Window.Holds); outside a backfill, all.
func keep(rs []reading.Reading, w collector.Window) []reading.Reading {
	if !w.Backfill {
		return rs
	}
	out := rs[:0]
	for i := range rs {
		if w.Holds(&rs[i]) {
			out = append(out, rs[i])
		}
	}
	return out
}

// Commit implements collector.Committer.
func (s *Source) Commit(context.Context) error { return s.Files.Commit() }
