package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketSpool = []byte("spool")
	bucketDead  = []byte("dead")
)

// ErrSpoolFull is returned when a batch does not fit into the spool: envwatch keeps what it
// already accepted and refuses new data loudly instead of dropping the oldest.
var ErrSpoolFull = errors.New("spool full: new data refused (the oldest spooled data is kept)")

// SpoolEntry is a batch of line protocol waiting for InfluxDB.
type SpoolEntry struct {
	ID       uint64
	Spooled  time.Time
	Points   int
	Lines    []byte
	Error    string // dead letters: why InfluxDB refused it
	Attempts int
}

func encodeEntry(e SpoolEntry) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(e.Spooled.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Points))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Error)))
	b = append(b, e.Error...)
	return append(b, e.Lines...)
}

func decodeEntry(id uint64, v []byte) (SpoolEntry, error) {
	if len(v) < 16 {
		return SpoolEntry{}, fmt.Errorf("spool entry %d: corrupt", id)
	}
	n := int(binary.BigEndian.Uint32(v[12:16]))
	if len(v) < 16+n {
		return SpoolEntry{}, fmt.Errorf("spool entry %d: corrupt", id)
	}
	return SpoolEntry{ID: id, Spooled: time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC(),
		Points: int(binary.BigEndian.Uint32(v[8:12])), Error: string(v[16 : 16+n]), Lines: append([]byte(nil), v[16+n:]...)}, nil
}

func idKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// Commit is one pipeline batch: the engines' changes, the sources' high-water marks and,
// when InfluxDB did not take the batch, its spool entry — stored in one transaction so a
// crash keeps all or none of it.
type Commit struct {
	Air   []AirDay
	Water []WaterSample
	Marks map[string]time.Time
	Spool *SpoolEntry // nil when InfluxDB took the batch
	// SpoolMax bounds the spool in bytes (0: unbounded).
	SpoolMax int64
}

// CommitBatch stores a Commit atomically. With a spool entry that does not fit, nothing is
// stored and ErrSpoolFull is returned.
func (s *Store) CommitBatch(c Commit) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if c.Spool != nil {
			sb, err := tx.CreateBucketIfNotExists(bucketSpool)
			if err != nil {
				return err
			}
			enc := encodeEntry(*c.Spool)
			if c.SpoolMax > 0 && spoolBytes(tx)+int64(len(enc)) > c.SpoolMax {
				return ErrSpoolFull
			}
			id, _ := sb.NextSequence()
			if err := sb.Put(idKey(id), enc); err != nil {
				return err
			}
			if err := addSpoolBytes(tx, int64(len(enc))); err != nil {
				return err
			}
		}
		return s.saveEngines(tx, c.Air, c.Water, c.Marks)
	})
}

var keySpoolBytes = []byte("spool_bytes")

// spoolBytes is the running total of the spool's size, kept in meta so a commit does not
// scan the spool.
func spoolBytes(tx *bolt.Tx) int64 {
	v := tx.Bucket(bucketMeta).Get(keySpoolBytes)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func addSpoolBytes(tx *bolt.Tx, delta int64) error {
	n := spoolBytes(tx) + delta
	if n < 0 {
		n = 0
	}
	return tx.Bucket(bucketMeta).Put(keySpoolBytes, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// SpoolStats describes the spool.
type SpoolStats struct {
	Entries, Points int
	Bytes           int64
	Oldest          time.Time // zero when empty
	DeadEntries     int
}

// SpoolStats returns the spool's size and age.
func (s *Store) SpoolStats() (SpoolStats, error) {
	var st SpoolStats
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSpool); b != nil {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if len(v) < 16 {
					return fmt.Errorf("spool entry %x: corrupt", k)
				}
				if st.Entries == 0 {
					st.Oldest = time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC()
				}
				st.Entries++
				st.Points += int(binary.BigEndian.Uint32(v[8:12]))
			}
		}
		st.Bytes = spoolBytes(tx)
		if b := tx.Bucket(bucketDead); b != nil {
			st.DeadEntries = b.Stats().KeyN
		}
		return nil
	})
	return st, err
}

// SpoolOldest returns the oldest spooled batch, false when the spool is empty.
func (s *Store) SpoolOldest() (SpoolEntry, bool, error) {
	var e SpoolEntry
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSpool)
		if b == nil {
			return nil
		}
		k, v := b.Cursor().First()
		if k == nil {
			return nil
		}
		var err error
		e, err = decodeEntry(binary.BigEndian.Uint64(k), v)
		found = err == nil
		return err
	})
	return e, found, err
}

// SpoolDone removes a replayed batch.
func (s *Store) SpoolDone(id uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSpool)
		if b == nil {
			return nil
		}
		if v := b.Get(idKey(id)); v != nil {
			if err := addSpoolBytes(tx, -int64(len(v))); err != nil {
				return err
			}
		}
		return b.Delete(idKey(id))
	})
}

// SpoolDead moves a batch InfluxDB refused permanently to the dead-letter bucket.
func (s *Store) SpoolDead(id uint64, reason string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketSpool)
		if sb == nil {
			return nil
		}
		v := sb.Get(idKey(id))
		if v == nil {
			return nil
		}
		e, err := decodeEntry(id, v)
		if err != nil {
			return err
		}
		e.Error = reason
		db, err := tx.CreateBucketIfNotExists(bucketDead)
		if err != nil {
			return err
		}
		if err := db.Put(idKey(id), encodeEntry(e)); err != nil {
			return err
		}
		if err := addSpoolBytes(tx, -int64(len(v))); err != nil {
			return err
		}
		return sb.Delete(idKey(id))
	})
}

// DeadLetters lists the dead-letter batches.
func (s *Store) DeadLetters() ([]SpoolEntry, error) {
	var out []SpoolEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDead)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			e, err := decodeEntry(binary.BigEndian.Uint64(k), v)
			out = append(out, e)
			return err
		})
	})
	return out, err
}

// DeadRetry moves dead letters (all when id is 0) back to the end of the spool.
func (s *Store) DeadRetry(id uint64) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		db := tx.Bucket(bucketDead)
		if db == nil {
			return nil
		}
		sb, err := tx.CreateBucketIfNotExists(bucketSpool)
		if err != nil {
			return err
		}
		var keys [][]byte
		_ = db.ForEach(func(k, _ []byte) error {
			if id == 0 || binary.BigEndian.Uint64(k) == id {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range keys {
			e, err := decodeEntry(binary.BigEndian.Uint64(k), db.Get(k))
			if err != nil {
				return err
			}
			e.Error = ""
			seq, _ := sb.NextSequence()
			enc := encodeEntry(e)
			if err := sb.Put(idKey(seq), enc); err != nil {
				return err
			}
			if err := addSpoolBytes(tx, int64(len(enc))); err != nil {
				return err
			}
			if err := db.Delete(k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// DeadDrop deletes dead letters (all when id is 0).
func (s *Store) DeadDrop(id uint64) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		db := tx.Bucket(bucketDead)
		if db == nil {
			return nil
		}
		var keys [][]byte
		_ = db.ForEach(func(k, _ []byte) error {
			if id == 0 || binary.BigEndian.Uint64(k) == id {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range keys {
			if err := db.Delete(k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// SpoolEmpty reports whether nothing waits in the spool.
func (s *Store) SpoolEmpty() bool {
	empty := true
	_ = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSpool); b != nil {
			k, _ := b.Cursor().First()
			empty = k == nil
		}
		return nil
	})
	return empty
}
