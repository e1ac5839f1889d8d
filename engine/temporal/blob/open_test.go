package blob

import (
	"strings"
	"testing"
	"time"
)

func TestOpenErrors(t *testing.T) {
	const secret = "SECRETPW"
	creds := fakeEnv()
	for _, tc := range []struct {
		location string
		getenv   func(string) string
		want     []string // in the error
	}{
		{"", creds, []string{"empty result-store location"}},
		{"gs://bucket/p", creds, []string{`"gs://bucket/p"`, `unknown scheme "gs"`}},
		{"https://example.com/x", creds, []string{`unknown scheme "https"`}},
		{"s3://", creds, []string{`"s3://"`, "empty bucket"}},
		{"s3:///prefix", creds, []string{`"s3:///prefix"`, "empty bucket"}},
		{"s3:bucket", creds, []string{"want s3://BUCKET[/PREFIX]"}},
		{"s3://b/p", fakeEnv("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", ""), []string{`"s3://b/p"`, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}},
		{"s3://b/p", fakeEnv("AWS_SECRET_ACCESS_KEY", ""), []string{"set AWS_SECRET_ACCESS_KEY in"}},
		{"s3://b/p", fakeEnv("AWS_ACCESS_KEY_ID", ""), []string{"set AWS_ACCESS_KEY_ID in"}},
		{"s3://b?endpoint=ftp://host", creds, []string{`"s3://b"`, `endpoint "ftp://host"`, "http:// or https://"}},
		{"s3://b?endpoint=http://", creds, []string{"no host"}},
		{"s3://b?endpoint=http://h/path", creds, []string{"a scheme and a host only"}},
		{"s3://b?endpoint=%zz", creds, []string{"query"}},
		{"s3://b?bogus=1", creds, []string{`unknown parameter "bogus"`}},
		{"s3://b?region=a&region=b", creds, []string{`parameter "region" given 2 times`}},
		{"s3://b?path_style=maybe", creds, []string{`path_style "maybe"`}},
		{"s3://b?region=us/east", creds, []string{`invalid region "us/east"`}},
		{"s3://b", fakeEnv("AWS_REGION", "bad region"), []string{`invalid region "bad region"`}},
		{"s3://Bad_Bucket", creds, []string{"path_style=true"}},
		{"s3://bad!bucket?path_style=true", creds, []string{"invalid bucket name"}},
		{"s3://b:9000/p", creds, []string{"invalid bucket name"}},
		{"s3://AKID:" + secret + "@b/p", creds, []string{`"s3://b/p"`, "credentials do not belong in the location"}},
		{"s3://b?endpoint=http://u:" + secret + "@h", creds, []string{`endpoint "http://h"`, "credentials do not belong in the endpoint"}},
		{"s3://b/p#frag", creds, []string{"fragment"}},
		{"file://remote/x", creds, []string{`host "remote"`}},
		{"file:relative", creds, []string{"want file:///absolute/path"}},
		{"file:///x?y=1", creds, []string{"only a path"}},
	} {
		st, err := open(tc.location, tc.getenv, func(string) error { return nil })
		if err == nil {
			t.Errorf("Open(%q) = %s, want an error", tc.location, st)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Open(%q): error %q does not contain %q", tc.location, err, want)
			}
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), fakeSecret) {
			t.Errorf("Open(%q): error %q contains a secret", tc.location, err)
		}
	}
}

func TestOpenS3Defaults(t *testing.T) {
	for _, tc := range []struct {
		location string
		env      []string
		want     string // URL of key "k"
		region   string
	}{
		{"s3://b/p", nil, "https://b.s3.us-east-1.amazonaws.com/p/k", "us-east-1"},
		{"s3://b/p", []string{"AWS_REGION", "eu-west-1"}, "https://b.s3.eu-west-1.amazonaws.com/p/k", "eu-west-1"},
		{"s3://b?region=ap-south-1", []string{"AWS_REGION", "eu-west-1"}, "https://b.s3.ap-south-1.amazonaws.com/k", "ap-south-1"},
		{"s3://b/p?path_style=true", nil, "https://s3.us-east-1.amazonaws.com/b/p/k", "us-east-1"},
		{"s3://b/p/?endpoint=http://127.0.0.1:9000", nil, "http://127.0.0.1:9000/b/p/k", "us-east-1"},
		{"s3://b/p?endpoint=https://minio.example:9000/&path_style=false", nil, "https://b.minio.example:9000/p/k", "us-east-1"},
		{"s3://Legacy_Bucket?endpoint=http://h", nil, "http://h/Legacy_Bucket/k", "us-east-1"},
		{"s3://b/a%20b", nil, "https://b.s3.us-east-1.amazonaws.com/a%20b/k", "us-east-1"},
	} {
		st, err := Open(tc.location, fakeEnv(tc.env...))
		if err != nil {
			t.Errorf("Open(%q): %v", tc.location, err)
			continue
		}
		s := st.(*S3)
		if got := s.objectURL("k").String(); got != tc.want {
			t.Errorf("Open(%q): object URL %s, want %s", tc.location, got, tc.want)
		}
		if s.signer.region != tc.region {
			t.Errorf("Open(%q): region %s, want %s", tc.location, s.signer.region, tc.region)
		}
		if s.Client == nil || s.Client.Timeout != 60*time.Second {
			t.Errorf("Open(%q): Client %+v, want a 60s timeout", tc.location, s.Client)
		}
		if strings.Contains(s.String(), fakeSecret) || strings.Contains(s.String(), "?") {
			t.Errorf("Open(%q): String %q", tc.location, s)
		}
	}
}

func TestOpenS3String(t *testing.T) {
	for location, want := range map[string]string{
		"s3://b":                         "s3://b",
		"s3://b/":                        "s3://b",
		"s3://b/runs/x?region=eu-west-1": "s3://b/runs/x",
		"s3://b/runs/?endpoint=http://h": "s3://b/runs/",
	} {
		st, err := Open(location, fakeEnv("AWS_SESSION_TOKEN", "tok"))
		if err != nil {
			t.Fatal(err)
		}
		if st.String() != want {
			t.Errorf("Open(%q).String() = %q, want %q", location, st, want)
		}
	}
}

func TestOpenEnvironment(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "eu-central-1")
	st, err := Open("s3://b", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*S3)
	if s.signer.creds.accessKey != "AKIDENV" || s.signer.creds.secretKey != "secret-from-env" || s.signer.region != "eu-central-1" {
		t.Errorf("a nil getenv did not read the environment: %+v", s.signer)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"s3://user:pw@bucket/p?endpoint=http://x": "s3://bucket/p",
		"s3://bucket":      "s3://bucket",
		"s3://a@b@bucket/": "s3://bucket/",
		"/var/lib/results": "/var/lib/results",
		"s3:bucket?x":      "s3:bucket",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
