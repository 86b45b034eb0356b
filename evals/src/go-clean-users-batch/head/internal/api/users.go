// Package api serves the directory's JSON API.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"example.com/directory/internal/store"
)

// API holds the handlers' dependencies.
type API struct {
	Store *store.Store
	Log   *slog.Logger
}

// User handles GET /users/{id}.
func (a *API) User(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad user id", http.StatusBadRequest)
		return
	}
	u, err := a.Store.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no such user", http.StatusNotFound)
		return
	}
	if err != nil {
		a.Log.ErrorContext(r.Context(), "user lookup", "id", id, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, u)
}

const maxBatch = 100

// Users handles GET /users?ids=1,2,3: up to 100 users in one request, for the avatars
// next to a list of comments.
func (a *API) Users(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("ids")
	if raw == "" {
		http.Error(w, "ids is required", http.StatusBadRequest)
		return
	}
	parts := strings.Split(raw, ",")
	if len(parts) > maxBatch {
		http.Error(w, "at most 100 ids", http.StatusBadRequest)
		return
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			http.Error(w, "ids must be comma-separated integers", http.StatusBadRequest)
			return
		}
		ids = append(ids, id)
	}
	users, err := a.Store.UsersByIDs(r.Context(), ids)
	if err != nil {
		a.Log.ErrorContext(r.Context(), "users lookup", "count", len(ids), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, users)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the client may have gone; nothing left to do
}
