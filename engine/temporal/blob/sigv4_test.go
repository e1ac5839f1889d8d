package blob

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The vectors below are the "Example: GET Object" and "Example: PUT Object"
// of the Amazon S3 API Reference, "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk (AWS
// Signature Version 4)".
var awsExampleSigner = signer{
	creds: credentials{
		accessKey: "AKIAIOSFODNN7EXAMPLE",
		secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	},
	region:  "us-east-1",
	service: "s3",
}

var awsExampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func TestSignAWSExampleGetObject(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Range", "bytes=0-9")
	s := awsExampleSigner
	s.sign(req, emptySHA256, awsExampleTime)

	wantCanonical := strings.Join([]string{
		"GET",
		"/test.txt",
		"",
		"host:examplebucket.s3.amazonaws.com",
		"range:bytes=0-9",
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"x-amz-date:20130524T000000Z",
		"",
		"host;range;x-amz-content-sha256;x-amz-date",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	}, "\n")
	if got, _ := canonicalRequest(req, emptySHA256); got != wantCanonical {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, wantCanonical)
	}
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n%s\nwant:\n%s", got, want)
	}
	if got := req.Header.Get("X-Amz-Date"); got != "20130524T000000Z" {
		t.Errorf("X-Amz-Date = %q", got)
	}
}

func TestSignAWSExamplePutObject(t *testing.T) {
	body := "Welcome to Amazon S3."
	hash := hexSHA256([]byte(body))
	if hash != "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" {
		t.Fatalf("payload hash = %s", hash)
	}
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.amazonaws.com/test%24file.text", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", "Fri, 24 May 2013 00:00:00 GMT")
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	s := awsExampleSigner
	s.sign(req, hash, awsExampleTime)

	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class," +
		"Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n%s\nwant:\n%s", got, want)
	}
}

func TestSignSessionToken(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := awsExampleSigner
	s.creds.sessionToken = "session-token"
	s.sign(req, emptySHA256, awsExampleTime)
	if got := req.Header.Get("X-Amz-Security-Token"); got != "session-token" {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	if got := req.Header.Get("Authorization"); !strings.Contains(got, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Errorf("session token not signed: %s", got)
	}
}

func TestCanonicalHeaders(t *testing.T) {
	req, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:9000/b/k?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Add("X-Amz-Meta-Note", "  a   b\t c  ")
	req.Header.Add("X-Amz-Meta-Note", "second")
	req.Header.Set("User-Agent", "not signed")
	got, signed := canonicalRequest(req, emptySHA256)
	want := strings.Join([]string{
		"PUT",
		"/b/k",
		"x=1",
		"content-type:application/octet-stream",
		"host:127.0.0.1:9000",
		"x-amz-meta-note:a b c,second",
		"",
		"content-type;host;x-amz-meta-note",
		emptySHA256,
	}, "\n")
	if got != want || signed != "content-type;host;x-amz-meta-note" {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, want)
	}
}

func TestCanonicalURI(t *testing.T) {
	for path, want := range map[string]string{
		"":                 "/",
		"/":                "/",
		"/b/k":             "/b/k",
		"/b/a b/c~d":       "/b/a%20b/c~d",
		"/b/x+y=z&%/é":     "/b/x%2By%3Dz%26%25/%C3%A9",
		"/b/prefix//key-1": "/b/prefix//key-1",
	} {
		if got := canonicalURI(path); got != want {
			t.Errorf("canonicalURI(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	got := canonicalQuery("prefix=a%20b&list-type=2&a=2&a=1&flag")
	want := "a=1&a=2&flag=&list-type=2&prefix=a%20b"
	if got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
}
