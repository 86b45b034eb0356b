// Package store is the directory service's Postgres access layer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// UsersByIDs returns the users with the given IDs in one query, ordered by ID; IDs that do
// not exist are left out. Callers bound len(ids) (the API allows 100).
func (s *Store) UsersByIDs(ctx context.Context, ids []int64) ([]User, error) {
	if len(ids) == 0 {
		return []User{}, nil
	}
	// Only the "$1, $2, …" placeholders are formatted into the query; the IDs are bound.
	placeholders := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		placeholders[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(
		"SELECT id, display_name, team FROM users WHERE id IN (%s) ORDER BY id",
		strings.Join(placeholders, ", "),
	), args...)
	if err != nil {
		return nil, fmt.Errorf("users by ids: %w", err)
	}
	defer rows.Close()
	users := make([]User, 0, len(ids))
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.DisplayName, &u.Team); err != nil {
			return nil, fmt.Errorf("users by ids: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users by ids: %w", err)
	}
	return users, nil
}
