// Package store is the directory service's Postgres access layer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound is returned when a user does not exist.
var ErrNotFound = errors.New("not found")

// User is a directory entry.
type User struct {
	ID          int64  `json:"id"`
	DisplayName string `json:"displayName"`
	Team        string `json:"team"`
}

// Store wraps the database handle.
type Store struct {
	DB *sql.DB
}

// User returns one user by ID, or ErrNotFound.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.DB.QueryRowContext(ctx,
		"SELECT id, display_name, team FROM users WHERE id = $1", id,
	).Scan(&u.ID, &u.DisplayName, &u.Team)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}
