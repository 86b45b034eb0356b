// Package store is the blog's Postgres access layer.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Post is one published post, as the feed shows it.
type Post struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Slug        string    `json:"slug"`
	PublishedAt time.Time `json:"publishedAt"`
	Tags        []string  `json:"tags"`
}

// Store wraps the database handle.
type Store struct {
	DB *sql.DB
}

// ListPosts returns the newest published posts, at most limit of them, with their tags.
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
		p.Slug = Slugify(p.Title)
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing posts: %w", err)
	}
	// TODO: cache tag lookups
	for i := range posts {
		tags, err := s.postTags(ctx, posts[i].ID)
		if err != nil {
			return nil, err
		}
		posts[i].Tags = tags
	}
	return posts, nil
}

// postTags returns the names of one post's tags, alphabetically.
func (s *Store) postTags(ctx context.Context, postID int64) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT t.name FROM tags t JOIN post_tags pt ON pt.tag_id = t.id
		  WHERE pt.post_id = $1 ORDER BY t.name`, postID)
	if err != nil {
		return nil, fmt.Errorf("tags of post %d: %w", postID, err)
	}
	defer rows.Close()
	tags := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("tags of post %d: %w", postID, err)
		}
		tags = append(tags, name)
	}
	return tags, rows.Err()
}

// Slugify turns a title into the URL part of a post: "Hello, World!" -> "hello-world".
func Slugify(title string) string {
	nonAlnum := regexp.MustCompile(`[^a-z0-9]+`)
	return strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(title), "-"), "-")
}
