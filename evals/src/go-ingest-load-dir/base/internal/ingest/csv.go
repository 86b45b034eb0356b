// Package ingest reads meter readings exported by the field devices.
package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Reading is one meter value.
type Reading struct {
	MeterID string
	At      time.Time
	KWh     float64
}

// LoadFile parses one export file.
func LoadFile(path string) ([]Reading, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening export: %w", err)
	}
	defer f.Close()
	return parseCSV(f)
}

// parseCSV reads "meter_id,timestamp,kwh" rows after a header row.
func parseCSV(r io.Reader) ([]Reading, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	if _, err := cr.Read(); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading header: %w", err)
	}
	var out []Reading
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		at, err := time.Parse(time.RFC3339, rec[1])
		if err != nil {
			return nil, fmt.Errorf("meter %s: bad timestamp %q: %w", rec[0], rec[1], err)
		}
		kwh, err := strconv.ParseFloat(rec[2], 64)
		if err != nil {
			return nil, fmt.Errorf("meter %s: bad kwh %q: %w", rec[0], rec[2], err)
		}
		out = append(out, Reading{MeterID: rec[0], At: at, KWh: kwh})
	}
}
