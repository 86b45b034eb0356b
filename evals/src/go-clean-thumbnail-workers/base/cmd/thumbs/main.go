package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var cfg config
	flag.StringVar(&cfg.inDir, "in", "/srv/uploads/incoming", "directory of new uploads")
	flag.StringVar(&cfg.workDir, "work", "/srv/uploads/work", "directory of images being converted")
	flag.StringVar(&cfg.outDir, "out", "/srv/uploads/thumbs", "directory of thumbnails")
	flag.DurationVar(&cfg.convertTimeout, "convert-timeout", 30*time.Second, "longest one conversion may take")
	poll := flag.Duration("poll", 2*time.Second, "how often to list -in")
	flag.Parse()
	for _, dir := range []*string{&cfg.inDir, &cfg.workDir, &cfg.outDir} {
		abs, err := filepath.Abs(*dir)
		if err != nil {
			logger.Error("bad directory", "dir", *dir, "err", err)
			os.Exit(2)
		}
		*dir = abs
	}

	ctx := context.Background()
	for {
		entries, err := os.ReadDir(cfg.inDir)
		if err != nil {
			logger.Error("listing incoming", "err", err)
		}
		for _, e := range entries {
			if e.IsDir() || !isImage(e.Name()) {
				continue
			}
			if err := processOne(ctx, cfg, e.Name()); err != nil {
				logger.Error("thumbnail failed", "file", e.Name(), "err", err)
			}
		}
		time.Sleep(*poll)
	}
}
