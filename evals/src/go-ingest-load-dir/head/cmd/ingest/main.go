package main

import (
	"flag"
	"log/slog"
	"os"

	"example.com/meters/internal/ingest"
)

func main() {
	file := flag.String("file", "", "export file to load")
	dir := flag.String("dir", "", "directory of export files to load (instead of -file)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	var readings []ingest.Reading
	var err error
	if *dir != "" {
		readings, err = ingest.LoadDir(*dir)
	} else {
		readings, err = ingest.LoadFile(*file)
	}
	if err != nil {
		logger.Error("load failed", "err", err)
		os.Exit(1)
	}
	logger.Info("loaded", "readings", len(readings))
}
