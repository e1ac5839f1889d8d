package blob

import (
	"strings"
	"testing"
)

// FuzzOpen checks that no location makes Open panic, that it returns a
// store or an error, and that neither shows the secret key. Directories are
// not created: the fuzzer's paths could land anywhere.
func FuzzOpen(f *testing.F) {
	for _, seed := range []string{
		"",
		"/var/lib/playbook/results",
		"./results",
		"file:///tmp/results",
		"file://localhost/tmp/results",
		"file:relative",
		"s3://bucket",
		"s3://bucket/prefix/",
		"s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true",
		"s3://user:pw@bucket/p",
		"s3://b?endpoint=http://u:pw@h:1",
		"s3:///p",
		"s3://b?endpoint=%zz",
		"s3://[::1]/p",
		"gs://bucket",
		"C:\\results",
		"s3://b#f",
	} {
		f.Add(seed)
	}
	const secret = "fuzz-secret-value-0123456789"
	getenv := func(name string) string {
		switch name {
		case "AWS_ACCESS_KEY_ID":
			return "AKIDFUZZ"
		case "AWS_SECRET_ACCESS_KEY":
			return secret
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, location string) {
		var made []string
		st, err := open(location, getenv, func(dir string) error {
			made = append(made, dir)
			return nil
		})
		if (st == nil) == (err == nil) {
			t.Fatalf("Open(%q) = %v, %v", location, st, err)
		}
		if strings.Contains(location, secret) {
			return
		}
		if err != nil {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("Open(%q): error %q shows the secret", location, err)
			}
			return
		}
		if st.String() == "" || strings.Contains(st.String(), secret) {
			t.Fatalf("Open(%q).String() = %q", location, st)
		}
		switch s := st.(type) {
		case *Dir:
			if len(made) != 1 || made[0] != s.path {
				t.Fatalf("Open(%q) created %q, want %q", location, made, s.path)
			}
		case *S3:
			if s.bucket == "" {
				t.Fatalf("Open(%q): empty bucket", location)
			}
			u := s.objectURL("k")
			if u.Host == "" || !strings.HasSuffix(u.EscapedPath(), "/k") {
				t.Fatalf("Open(%q): object URL %s", location, u)
			}
		}
	})
}
