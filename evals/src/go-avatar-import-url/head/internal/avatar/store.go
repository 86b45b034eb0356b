package avatar

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
)

// Store keeps one avatar image per user.
type Store interface {
	Put(ctx context.Context, userID int64, img []byte) error
}

// DirStore stores avatars as files named by user ID.
type DirStore struct{ Dir string }

// Put writes the image atomically, replacing the user's previous avatar.
func (s DirStore) Put(_ context.Context, userID int64, img []byte) error {
	tmp, err := os.CreateTemp(s.Dir, "upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(img); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(s.Dir, strconv.FormatInt(userID, 10)))
}
