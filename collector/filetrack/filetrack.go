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

// Changed returns the files that are new or changed since they were last committed; with
// all set it returns every file (a backfill). Files that cannot be read are returned as
// errors in failed, so one bad file does not hide the others.
func (t *Tracker) Changed(ctx context.Context, all bool) (files []File, failed []error, err error) {
	err = t.Walk(ctx, all, "", func(f File, _, _ int) error {
		files = append(files, f)
		return nil
	}, func(e error) { failed = append(failed, e) })
	return files, failed, err
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
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}
