// Package store is the blog's Postgres access layer.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Post is one published post, as the feed shows it.
type Post struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"publishedAt"`
}

// Store wraps the database handle.
type Store struct {
	DB *sql.DB
}

// ListPosts returns the newest published posts, at most limit of them.
func (s *Store) ListPosts(ctx context.Context, limit int) ([]Post, error) {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT id, title, published_at FROM posts
		  WHERE published_at IS NOT NULL
		  ORDER BY published_at DESC
		  LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing posts: %w", err)
	}
	defer rows.Close()
	var posts []Post
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.Title, &p.PublishedAt); err != nil {
			return nil, fmt.Errorf("scanning post: %w", err)
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}
