package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"example.com/relay/internal/config"
	"example.com/relay/internal/metrics"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Parse(os.Args[1:])
	if err != nil {
		logger.Error("bad flags", "err", err)
		os.Exit(2)
	}
	client := &http.Client{Timeout: cfg.UpstreamTimeout}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", metrics.Handler)
	mux.HandleFunc("POST /hooks/{partner}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes))
		if err != nil {
			http.Error(w, fmt.Sprintf("body larger than %d bytes", cfg.MaxBodyBytes), http.StatusRequestEntityTooLarge)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, cfg.Upstream, bytes.NewReader(body))
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		req.Header.Set("X-Partner", r.PathValue("partner"))
		resp, err := client.Do(req)
		if err != nil {
			logger.Error("forward failed", "partner", r.PathValue("partner"), "err", err)
			http.Error(w, "upstream unavailable", http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		metrics.Forwarded.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})

	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	logger.Info("listening", "addr", cfg.ListenAddr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}
