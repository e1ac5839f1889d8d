package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is a [Store] in a directory: one file per key, mode 0600, written
// to a temporary file in the same directory and renamed into place, so a
// reader never sees part of an object. [Open] makes one.
type Dir struct {
	path string
}

func openDir(location, path string, mkdir func(string) error) (*Dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("blob: result store %q: %w", redact(location), err)
	}
	if err := mkdir(abs); err != nil {
		return nil, fmt.Errorf("blob: result store %q: %w", redact(location), err)
	}
	return &Dir{path: abs}, nil
}

// String returns the directory's path.
func (d *Dir) String() string { return d.path }

// tempPrefix starts the name of a file being written. '+' cannot occur in
// a key, so a temporary file is never taken for an object.
const tempPrefix = "+put-"

// Put stores data under key. A key whose file exists is left as it is.
func (d *Dir) Put(ctx context.Context, key string, data []byte) (err error) {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("%s: put: %w", d, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: put %s: %w", d, key, err)
	}
	name := filepath.Join(d.path, key)
	if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%s: put %s: %w", d, key, err)
		}
	}()
	f, err := os.CreateTemp(d.path, tempPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	syncDir(d.path)
	return nil
}

// syncDir makes a rename in dir durable where the file system supports
// it; a history that names a key must not outlive its object.
func syncDir(dir string) {
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = f.Sync()
	_ = f.Close()
}

// Get returns the bytes stored under key.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("%s: get: %w", d, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: get %s: %w", d, key, err)
	}
	data, err := os.ReadFile(filepath.Join(d.path, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: get %s: %w", d, key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: get %s: %w", d, key, err)
	}
	return data, nil
}
