package avatar

import (
	"context"
	"io"
	"log/slog"
	"net/http"
)

const maxAvatarBytes = 2 << 20

type ctxKey struct{}

// WithUserID returns a context carrying the signed-in user's ID (set by the session middleware).
func WithUserID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// UserID is the signed-in user's ID, if any.
func UserID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(ctxKey{}).(int64)
	return id, ok
}

// Handler serves the avatar endpoints.
type Handler struct {
	Store Store
	Log   *slog.Logger
}

// Upload handles PUT /avatar: the body is a PNG or JPEG image of at most 2 MiB.
func (h *Handler) Upload(w http.ResponseWriter, r *http.Request) {
	userID, ok := UserID(r.Context())
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	img, err := io.ReadAll(io.LimitReader(r.Body, maxAvatarBytes+1))
	if err != nil {
		http.Error(w, "could not read the upload", http.StatusBadRequest)
		return
	}
	h.save(w, r, userID, img)
}

func (h *Handler) save(w http.ResponseWriter, r *http.Request, userID int64, img []byte) {
	if len(img) > maxAvatarBytes {
		http.Error(w, "avatar must be at most 2 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	if ct := http.DetectContentType(img); ct != "image/png" && ct != "image/jpeg" {
		http.Error(w, "avatar must be a PNG or JPEG image", http.StatusUnsupportedMediaType)
		return
	}
	if err := h.Store.Put(r.Context(), userID, img); err != nil {
		h.Log.Error("storing avatar", "user", userID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
