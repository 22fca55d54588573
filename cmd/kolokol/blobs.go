package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
)

// mediaS3Flag is --media-s3 of every command that reads or writes media:
// they must all find the pictures where the newsroom keeps them.
func mediaS3Flag(fs *flag.FlagSet) *string {
	return fs.String("media-s3", "", "JSON file (mode 0600) of an S3-compatible bucket that holds the media (see the README's Scale out section); default DATA/media")
}

// openBlobs opens where the media are: the bucket of the file s3 names,
// checked to be there, or DATA/media.
func openBlobs(ctx context.Context, data, s3 string) (kolokol.BlobStore, error) {
	if s3 == "" {
		d, err := media.NewDir(filepath.Join(data, "media"))
		if err != nil {
			return nil, fmt.Errorf("open media: %w", err)
		}
		return d, nil
	}
	c, err := media.LoadS3Config(s3)
	if err != nil {
		return nil, fmt.Errorf("--media-s3: %w", err)
	}
	b, err := media.NewS3(c)
	if err != nil {
		return nil, fmt.Errorf("--media-s3: %w", err)
	}
	if err := b.Check(ctx); err != nil {
		return nil, fmt.Errorf("--media-s3: %w", err)
	}
	return b, nil
}
