package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type config struct {
	inDir, workDir, outDir string
	convertTimeout         time.Duration
}

var imageExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}

func isImage(name string) bool {
	return imageExt[strings.ToLower(filepath.Ext(name))]
}

// processOne claims one incoming image by moving it to the work directory, converts it and
// removes it. An image another worker already claimed is not an error.
func processOne(ctx context.Context, cfg config, name string) error {
	work := filepath.Join(cfg.workDir, name)
	if err := os.Rename(filepath.Join(cfg.inDir, name), work); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("claiming %s: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.convertTimeout)
	defer cancel()
	dst := filepath.Join(cfg.outDir, strings.TrimSuffix(name, filepath.Ext(name))+".jpg")
	// work is an absolute path, so a file name starting with "-" cannot become an option.
	out, err := exec.CommandContext(ctx, "convert", work+"[0]", "-thumbnail", "256x256>", dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("convert %s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return os.Remove(work)
}
