// Package api serves the blog's JSON API.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"example.com/blog/internal/store"
)

const maxFeedSize = 100

// Feed handles GET /api/feed?n=20, the home page's post list (the most requested endpoint).
func Feed(s *store.Store, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n <= 0 || n > maxFeedSize {
			n = 20
		}
		posts, err := s.ListPosts(r.Context(), n)
		if err != nil {
			log.ErrorContext(r.Context(), "feed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(posts)
	}
}
