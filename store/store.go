// Package store is envwatch's embedded state: a single bbolt file in the state directory
// holding each source's high-water mark and own state (processed files, backfill resume
// marks), the engines' station-days and water samples, and the InfluxDB spool with its dead
// letters. It lets `envwatch run` work without any server.
package store

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this build writes.
const SchemaVersion = 1

// FileName is the name of the state file inside the state directory.
const FileName = "envwatch.db"

var (
	bucketMeta = []byte("meta")
	bucketHWM  = []byte("hwm")
	keySchema  = []byte("schema_version")
)

// ErrLocked reports that another process holds the state store.
var ErrLocked = errors.New("state store is locked by another process (is another envwatch running?)")

// Store is the open state store.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating if needed) the state store in dir. It fails with ErrLocked after
// lockWait when another process holds the file.
func Open(dir string, lockWait time.Duration) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating state directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("opening state store %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketHWM); err != nil {
			return err
		}
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion))
		}
		if len(v) != 4 {
			return fmt.Errorf("state store %s: corrupt schema version", s.path)
		}
		if got := binary.BigEndian.Uint32(v); got > SchemaVersion {
			return fmt.Errorf("state store %s has schema version %d; this envwatch understands up to %d", s.path, got, SchemaVersion)
		}
		return nil
	})
}

// Path is the file path of the store.
func (s *Store) Path() string { return s.path }

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Size returns the size of the state file in bytes.
func (s *Store) Size() int64 {
	var n int64
	_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// SchemaVersion returns the version recorded in the store.
func (s *Store) SchemaVersion() (uint32, error) {
	var v uint32
	err := s.db.View(func(tx *bolt.Tx) error {
		v = binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keySchema))
		return nil
	})
	return v, err
}

// HighWater returns a source's high-water mark: the newest period end it has fully
// delivered. ok is false when the source has none yet.
func (s *Store) HighWater(source string) (t time.Time, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketHWM).Get([]byte(source))
		if len(v) == 8 {
			t, ok = time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC(), true
		}
		return nil
	})
	return t, ok, err
}

// SetHighWater records a source's high-water mark. Marks only move forward.
func (s *Store) SetHighWater(source string, t time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHWM)
		if v := b.Get([]byte(source)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= t.Unix() {
			return nil
		}
		return b.Put([]byte(source), binary.BigEndian.AppendUint64(nil, uint64(t.Unix())))
	})
}

// SourceState is a source's own key-value space (bucket "source/<name>").
type SourceState struct {
	db     *bolt.DB
	bucket []byte
}

// SourceState returns the key-value space of a source.
func (s *Store) SourceState(source string) *SourceState {
	return &SourceState{db: s.db, bucket: []byte("source/" + source)}
}

// Get returns a copy of the value of key, nil when absent.
func (s *SourceState) Get(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(s.bucket); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = append([]byte(nil), v...)
			}
		}
		return nil
	})
	return out, err
}

// Put stores a value.
func (s *SourceState) Put(key string, value []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(s.bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
}

// PutMany stores several values in one transaction.
func (s *SourceState) PutMany(kv map[string][]byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(s.bucket)
		if err != nil {
			return err
		}
		for k, v := range kv {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

var (
	bucketAir   = []byte("air")
	bucketWater = []byte("water")
)

// AirDay is one station-day of hourly air data, encoded by the air engine.
type AirDay struct {
	Station string
	Day     int32 // days since 1970-01-01 (Asia/Shanghai natural day)
	Data    []byte
}

// WaterSample is one section sample, encoded by the pipeline.
type WaterSample struct {
	Section string
	Unix    int64
	Data    []byte
}

func airKey(station string, day int32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(station), 0), uint32(day))
}

func waterKey(section string, unix int64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(section), 0), uint64(unix))
}

// SaveEngines stores the engines' changed days and samples in one transaction, together
// with high-water marks when given, so a crash leaves either all or none of a batch.
func (s *Store) SaveEngines(air []AirDay, water []WaterSample, marks map[string]time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error { return s.saveEngines(tx, air, water, marks) })
}

func (s *Store) saveEngines(tx *bolt.Tx, air []AirDay, water []WaterSample, marks map[string]time.Time) error {
	{
		ab, err := tx.CreateBucketIfNotExists(bucketAir)
		if err != nil {
			return err
		}
		wb, err := tx.CreateBucketIfNotExists(bucketWater)
		if err != nil {
			return err
		}
		// New days land at the end of each station's key range and old pages are seldom
		// rewritten, so pages split nearly full rather than half full (bbolt's default).
		ab.FillPercent = 0.9
		slices.SortFunc(air, func(a, b AirDay) int {
			return cmp.Or(strings.Compare(a.Station, b.Station), cmp.Compare(a.Day, b.Day))
		})
		for _, d := range air {
			if err := ab.Put(airKey(d.Station, d.Day), d.Data); err != nil {
				return err
			}
		}
		for _, w := range water {
			if err := wb.Put(waterKey(w.Section, w.Unix), w.Data); err != nil {
				return err
			}
		}
		hb := tx.Bucket(bucketHWM)
		for src, t := range marks {
			if v := hb.Get([]byte(src)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= t.Unix() {
				continue
			}
			if err := hb.Put([]byte(src), binary.BigEndian.AppendUint64(nil, uint64(t.Unix()))); err != nil {
				return err
			}
		}
		return nil
	}
}

// LoadAir calls fn for every stored station-day.
func (s *Store) LoadAir(fn func(AirDay) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAir)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			i := len(k) - 5
			if i < 0 || k[i] != 0 {
				return fmt.Errorf("state store: corrupt air key %q", k)
			}
			return fn(AirDay{Station: string(k[:i]), Day: int32(binary.BigEndian.Uint32(k[i+1:])), Data: v})
		})
	})
}

// LoadWater calls fn for every stored water sample.
func (s *Store) LoadWater(fn func(WaterSample) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWater)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			i := len(k) - 9
			if i < 0 || k[i] != 0 {
				return fmt.Errorf("state store: corrupt water key %q", k)
			}
			return fn(WaterSample{Section: string(k[:i]), Unix: int64(binary.BigEndian.Uint64(k[i+1:])), Data: v})
		})
	})
}
