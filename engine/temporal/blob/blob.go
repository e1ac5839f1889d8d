package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Store keeps immutable objects by key.
type Store interface {
	// Put stores data under key. Storing a key that already exists is not
	// an error: keys are content-addressed, so the bytes are the same.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the bytes stored under key, or an error wrapping
	// [ErrNotFound] when there are none.
	Get(ctx context.Context, key string) ([]byte, error)
	// String returns the store's location, with no secret in it, for logs
	// and errors.
	String() string
}

// ErrNotFound is wrapped by the error [Store.Get] returns for a key with no
// object.
var ErrNotFound = errors.New("blob: not found")

// maxKeyLen bounds a key so that it, and the temporary file name a [Dir]
// derives from it, fit any file system's name limit.
const maxKeyLen = 200

// checkKey reports whether key may name an object: 1 to 200 of
// [A-Za-z0-9._-], and not "." or "..". It keeps a key a single path
// segment, which is what makes it safe as a file name and an object name.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("invalid key: empty")
	case len(key) > maxKeyLen:
		return fmt.Errorf("invalid key: %d bytes long, more than %d", len(key), maxKeyLen)
	case key == "." || key == "..":
		return fmt.Errorf("invalid key %q", key)
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return fmt.Errorf("invalid key %q: byte %q at %d is not one of [A-Za-z0-9._-]", key, key[i], i)
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// Open returns the store at location, which is one of:
//
//   - a directory path ("/var/lib/playbook/results", "./results") or a
//     "file:///abs/path" URL: a [Dir], whose directory is created (mode
//     0700) if missing;
//   - "s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION&path_style=BOOL]":
//     an [S3] store. The endpoint defaults to https://s3.REGION.amazonaws.com
//     and the region to $AWS_REGION, else us-east-1; path_style (the bucket
//     in the path rather than the host name) defaults to true when an
//     endpoint is given. Credentials are read with getenv from
//     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, optionally,
//     AWS_SESSION_TOKEN.
//
// A nil getenv means [os.Getenv]. Errors name the location, never a
// credential.
func Open(location string, getenv func(string) string) (Store, error) {
	return open(location, getenv, func(dir string) error { return os.MkdirAll(dir, 0o700) })
}

// open is [Open] with the directory creation given, so the parsing can be
// exercised without touching the file system.
func open(location string, getenv func(string) string, mkdir func(string) error) (Store, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if location == "" {
		return nil, errors.New("blob: empty result-store location (want a directory, file:///path or s3://bucket/prefix)")
	}
	scheme, ok := urlScheme(location)
	if !ok {
		return asStore(openDir(location, location, mkdir))
	}
	switch strings.ToLower(scheme) {
	case "file":
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("blob: result store %q: %v", redact(location), parseErr(err))
		}
		switch {
		case u.Opaque != "" || u.Path == "":
			return nil, fmt.Errorf("blob: result store %q: want file:///absolute/path", redact(location))
		case u.Host != "" && u.Host != "localhost":
			return nil, fmt.Errorf("blob: result store %q: file URL names host %q; only the local host is supported", redact(location), u.Host)
		case u.User != nil, u.RawQuery != "", u.Fragment != "":
			return nil, fmt.Errorf("blob: result store %q: a file URL takes only a path", redact(location))
		}
		return asStore(openDir(location, filepath.FromSlash(u.Path), mkdir))
	case "s3":
		return asStore(openS3(location, getenv))
	default:
		return nil, fmt.Errorf("blob: result store %q: unknown scheme %q (want a directory, file:///path or s3://bucket/prefix)", redact(location), scheme)
	}
}

// asStore returns st as a Store, nil (not a typed nil) with an error.
func asStore[S Store](st S, err error) (Store, error) {
	if err != nil {
		return nil, err
	}
	return st, nil
}

// urlScheme returns the scheme of a location that starts with one: two or
// more letters, digits, '+', '-' or '.' (starting with a letter) before a
// colon. A single letter is not taken for a scheme, so a Windows drive
// ("C:\results") stays a path.
func urlScheme(location string) (string, bool) {
	i := strings.IndexByte(location, ':')
	if i < 2 {
		return "", false
	}
	for j := 0; j < i; j++ {
		c := location[j]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", false
		}
	}
	return location[:i], true
}

// redact returns location fit for an error message: a URL without user
// information (which might hold a secret) and without the query; a path
// as it is.
func redact(location string) string {
	if _, ok := urlScheme(location); !ok {
		return location
	}
	if i := strings.IndexAny(location, "?#"); i >= 0 {
		location = location[:i]
	}
	if scheme, rest, ok := strings.Cut(location, "://"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		location = scheme + "://" + host
		if path != "" || strings.Contains(rest, "/") {
			location += "/" + path
		}
	}
	return location
}

// parseErr returns the reason inside a [url.Error], without the URL it
// quotes (which may hold a secret).
func parseErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
