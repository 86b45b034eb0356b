// Package config parses the relay's command line.
package config

import (
	"errors"
	"flag"
	"time"
)

// Config is the relay's configuration.
type Config struct {
	ListenAddr      string
	Upstream        string
	MaxBodyBytes    int64
	UpstreamTimeout time.Duration
}

// Parse reads the flags in args (without the program name).
func Parse(args []string) (Config, error) {
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	var c Config
	fs.StringVar(&c.ListenAddr, "listen", ":9000", "address to listen on")
	fs.StringVar(&c.Upstream, "upstream", "", "event bus ingest URL (required)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body", 10<<20, "largest accepted request body, in bytes")
	fs.DurationVar(&c.UpstreamTimeout, "upstream-timeout", 10*time.Second, "how long one forward may take")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if c.Upstream == "" {
		return Config{}, errors.New("-upstream is required")
	}
	return c, nil
}
