package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
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
	workers := flag.Int("workers", 4, "conversions run in parallel")
	healthAddr := flag.String("health-addr", ":8081", "address of GET /healthz")
	flag.Parse()
	for _, dir := range []*string{&cfg.inDir, &cfg.workDir, &cfg.outDir} {
		abs, err := filepath.Abs(*dir)
		if err != nil {
			logger.Error("bad directory", "dir", *dir, "err", err)
			os.Exit(2)
		}
		*dir = abs
	}
	if *workers < 1 {
		logger.Error("-workers must be at least 1")
		os.Exit(2)
	}

	// SIGTERM stops the feed; the workers finish the images they hold, then we exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	health := &http.Server{Addr: *healthAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := health.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("health server failed", "err", err)
			stop()
		}
	}()

	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < *workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				// Not ctx: an image a worker holds is finished even after SIGTERM.
				if err := processOne(context.WithoutCancel(ctx), cfg, name); err != nil {
					logger.Error("thumbnail failed", "file", name, "err", err)
				}
			}
		}()
	}

	feed(ctx, cfg.inDir, *poll, jobs, logger)
	wg.Wait()

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := health.Shutdown(shutdownCtx); err != nil {
		logger.Warn("health server shutdown", "err", err)
	}
	logger.Info("stopped")
}

// feed lists dir every poll interval and hands each image to a worker until ctx is
// cancelled; then it closes jobs, which ends the workers' loops.
func feed(ctx context.Context, dir string, poll time.Duration, jobs chan<- string, logger *slog.Logger) {
	defer close(jobs)
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			logger.Error("listing incoming", "err", err)
		}
		for _, e := range entries {
			if e.IsDir() || !isImage(e.Name()) {
				continue
			}
			select {
			case jobs <- e.Name():
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return
		}
	}
}
