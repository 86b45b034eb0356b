package main

import (
	"database/sql"
	"log/slog"
	"net/http"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"example.com/directory/internal/api"
	"example.com/directory/internal/store"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		logger.Error("opening database", "err", err)
		os.Exit(1)
	}
	a := &api.API{Store: &store.Store{DB: db}, Log: logger}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", a.User)
	mux.HandleFunc("GET /users", a.Users)
	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}
