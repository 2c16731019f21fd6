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
	var paths []string
	root := t.Dir
	if t.File != "" {
		paths, root = []string{t.File}, filepath.Dir(t.File)
	} else {
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
			return nil, nil, fmt.Errorf("scanning %s: %w", t.Dir, err)
		}
	}
	sort.Strings(paths)
	max := t.MaxSize
	if max <= 0 {
		max = 256 << 20
	}
	t.pending = map[string][]byte{}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rel, _ := filepath.Rel(root, path)
		data, err := readLimited(path, max)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", rel, err))
			continue
		}
		sum := sha256.Sum256(data)
		digest := []byte(hex.EncodeToString(sum[:]))
		if !all {
			prev, err := t.State.Get("file:" + rel)
			if err != nil {
				return nil, nil, err
			}
			if bytes.Equal(prev, digest) {
				continue
			}
		}
		files = append(files, File{Name: rel, Data: data})
		t.pending["file:"+rel] = digest
	}
	return files, failed, nil
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
	t.pending = nil
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
