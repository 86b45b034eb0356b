package main

import (
	"log/slog"
	"net/http"
	"os"
	"time"

	"example.com/profile/internal/avatar"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h := &avatar.Handler{Store: avatar.DirStore{Dir: os.Getenv("AVATAR_DIR")}, Log: logger}

	mux := http.NewServeMux()
	mux.HandleFunc("PUT /avatar", h.Upload)
	mux.HandleFunc("POST /avatar/import", h.Import)

	srv := &http.Server{
		Addr:              ":8080",
		Handler:           sessionMiddleware(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// sessionMiddleware puts the user ID of a valid session cookie into the request context.
func sessionMiddleware(next http.Handler) http.Handler {
	key := []byte(os.Getenv("SESSION_KEY"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil {
			if id, ok := verifySession(c.Value, key); ok {
				r = r.WithContext(avatar.WithUserID(r.Context(), id))
			}
		}
		next.ServeHTTP(w, r)
	})
}
