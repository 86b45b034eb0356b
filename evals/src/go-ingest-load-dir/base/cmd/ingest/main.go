package main

import (
	"flag"
	"log/slog"
	"os"

	"example.com/meters/internal/ingest"
)

func main() {
	file := flag.String("file", "", "export file to load")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	readings, err := ingest.LoadFile(*file)
	if err != nil {
		logger.Error("load failed", "err", err)
		os.Exit(1)
	}
	logger.Info("loaded", "readings", len(readings))
}
