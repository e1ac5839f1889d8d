package blob

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openDirStore(t *testing.T, location string) *Dir {
	t.Helper()
	st, err := Open(location, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*Dir)
}

func TestDirRoundTrip(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "results")
	d := openDirStore(t, root)
	if d.String() != root {
		t.Errorf("String = %q, want %q", d, root)
	}
	fi, err := os.Stat(root)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode %v, want 0700", perm)
	}

	ctx := context.Background()
	data := []byte("a large reply")
	key := contentKey(data)
	if err := d.Put(ctx, key, data); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("Get = %q, want %q", got, data)
	}
	fi, err = os.Stat(filepath.Join(root, key))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode %v, want 0600", perm)
	}

	// A key that exists is kept as it is.
	if err := d.Put(ctx, key, []byte("other")); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Get(ctx, key); !bytes.Equal(got, data) {
		t.Errorf("after a second Put, Get = %q", got)
	}
	if err := d.Put(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Get(ctx, "empty"); err != nil || len(got) != 0 {
		t.Errorf("Get(empty) = %q, %v", got, err)
	}

	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{key, "empty"}; len(names) != 2 || !(names[0] == want[0] && names[1] == want[1] || names[0] == want[1] && names[1] == want[0]) {
		t.Errorf("directory holds %q, want %q (no temporary files)", names, want)
	}
}

func TestDirFileURLAndRelative(t *testing.T) {
	root := t.TempDir()
	d := openDirStore(t, "file://"+filepath.ToSlash(root)+"/results")
	if want := filepath.Join(root, "results"); d.String() != want {
		t.Errorf("String = %q, want %q", d, want)
	}

	t.Chdir(root)
	rel := openDirStore(t, "./rel")
	if want := filepath.Join(root, "rel"); rel.String() != want {
		t.Errorf("String = %q, want %q", rel, want)
	}
	if err := rel.Put(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "rel", "k")); err != nil {
		t.Error(err)
	}
}

func TestDirGetMissing(t *testing.T) {
	d := openDirStore(t, t.TempDir())
	_, err := d.Get(context.Background(), "absent")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), d.String()) || !strings.Contains(err.Error(), "absent") {
		t.Errorf("error %q does not name the store and the key", err)
	}
}

func TestDirConcurrentPut(t *testing.T) {
	d := openDirStore(t, t.TempDir())
	data := bytes.Repeat([]byte("0123456789"), 10000)
	key := contentKey(data)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			if err := d.Put(context.Background(), key, data); err != nil {
				errs <- err
			}
			if got, err := d.Get(context.Background(), key); err == nil && !bytes.Equal(got, data) {
				errs <- errors.New("read a partial object")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDirCanceled(t *testing.T) {
	d := openDirStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Put(ctx, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put: %v, want context.Canceled", err)
	}
	if _, err := d.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get: %v, want context.Canceled", err)
	}
}

func TestDirOpenOnFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(file, nil)
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("err = %v, want an error naming %s", err, file)
	}
}

func TestDirInvalidKeys(t *testing.T) {
	parent := t.TempDir()
	d := openDirStore(t, filepath.Join(parent, "store"))
	testInvalidKeys(t, d)
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("invalid keys left files beside the store: %v", entries)
	}
	entries, _ = os.ReadDir(d.String())
	if len(entries) != 0 {
		t.Errorf("invalid keys left files in the store: %v", entries)
	}
}

// testInvalidKeys checks that st refuses keys that are not one safe path
// segment, naming the store.
func testInvalidKeys(t *testing.T, st Store) {
	t.Helper()
	ctx := context.Background()
	for _, key := range []string{"../x", "a/b", "", ".", "..", `a\b`, "a b", "é", "k\x00", "/abs", strings.Repeat("a", 201)} {
		if err := st.Put(ctx, key, []byte("v")); err == nil || !strings.Contains(err.Error(), "invalid key") || !strings.Contains(err.Error(), st.String()) {
			t.Errorf("Put(%q) = %v, want an invalid key error naming %s", key, err, st)
		}
		if _, err := st.Get(ctx, key); err == nil || !strings.Contains(err.Error(), "invalid key") || errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want an invalid key error", key, err)
		}
	}
	for _, key := range []string{"a", strings.Repeat("f", 64) + ".zlib", "A-b_c.d", ".hidden", strings.Repeat("a", 200)} {
		if err := checkKey(key); err != nil {
			t.Errorf("checkKey(%q) = %v", key, err)
		}
	}
}
