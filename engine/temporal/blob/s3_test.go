package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeEnv returns a getenv with the fake's credentials and the extra
// variables given as name, value pairs (which override them).
func fakeEnv(kv ...string) func(string) string {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     fakeAccessKey,
		"AWS_SECRET_ACCESS_KEY": fakeSecret,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return func(name string) string { return env[name] }
}

// openFake opens s3://bucketAndPrefix on f, path style, with getenv.
func openFake(t *testing.T, f *fakeS3, bucketAndPrefix string, getenv func(string) string) *S3 {
	t.Helper()
	sep := "?"
	if strings.Contains(bucketAndPrefix, "?") {
		sep = "&"
	}
	st, err := Open("s3://"+bucketAndPrefix+sep+"endpoint="+url.QueryEscape(f.srv.URL), getenv)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*S3)
	s.Client = f.client()
	s.backoff = time.Millisecond
	return s
}

func contentKey(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestS3RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		location string
		objectAt string // the object's name in the bucket, less the key
		sentAt   string // the request's path, less the key
	}{
		{fakeBucket, "", "/results/"},
		{fakeBucket + "/", "", "/results/"},
		{fakeBucket + "/payloads", "payloads/", "/results/payloads/"},
		{fakeBucket + "/payloads/", "payloads/", "/results/payloads/"},
		// '+' goes encoded: S3 may read a bare '+' in a path as a space.
		{fakeBucket + "/team%20a/run$1+x", "team a/run$1+x/", "/results/team%20a/run%241%2Bx/"},
	} {
		t.Run(tc.location, func(t *testing.T) {
			f := newFakeS3(t)
			s := openFake(t, f, tc.location, fakeEnv())
			ctx := context.Background()

			data := make([]byte, 1<<20)
			for i := range data {
				data[i] = byte(i * 7)
			}
			key := contentKey(data) + ".zlib"
			if err := s.Put(ctx, key, data); err != nil {
				t.Fatal(err)
			}
			o, ok := f.object(fakeBucket, tc.objectAt+key)
			if !ok {
				t.Fatalf("no object %q in the bucket", tc.objectAt+key)
			}
			if !bytes.Equal(o.data, data) {
				t.Error("stored bytes differ")
			}
			if o.contentType != "application/octet-stream" {
				t.Errorf("Content-Type = %q", o.contentType)
			}
			if got := f.received()[0].RequestURI; got != tc.sentAt+key {
				t.Errorf("PUT %s, want PUT %s", got, tc.sentAt+key)
			}
			got, err := s.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Error("Get returned other bytes than Put stored")
			}
			// Putting a key again is fine.
			if err := s.Put(ctx, key, data); err != nil {
				t.Fatal(err)
			}
			// So is an empty object.
			if err := s.Put(ctx, "empty", nil); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, "empty"); err != nil || len(got) != 0 {
				t.Fatalf("Get(empty) = %q, %v", got, err)
			}
		})
	}
}

func TestS3VirtualHosted(t *testing.T) {
	f := newFakeS3(t)
	st, err := Open("s3://"+fakeBucket+"/p?endpoint=http://"+fakeDomain+"&path_style=false", fakeEnv())
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*S3)
	s.Client = f.client()
	ctx := context.Background()
	if err := s.Put(ctx, "k1", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k1"); err != nil || string(got) != "v1" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	reqs := f.received()
	if len(reqs) == 0 || reqs[0].Host != fakeBucket+"."+fakeDomain || reqs[0].URL.Path != "/p/k1" {
		t.Errorf("request went to %s%s, want %s.%s/p/k1", reqs[0].Host, reqs[0].URL.Path, fakeBucket, fakeDomain)
	}
}

func TestS3GetMissing(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket+"/p", fakeEnv())
	_, err := s.Get(context.Background(), "absent")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{"s3://results/p", "GET absent", "404 NoSuchKey"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if n := len(f.received()); n != 1 {
		t.Errorf("%d requests, want 1 (a missing object is no reason to try again)", n)
	}
}

func TestS3NoSuchBucket(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, "other-bucket", fakeEnv())
	_, err := s.Get(context.Background(), "k")
	if err == nil || !strings.Contains(err.Error(), "404 NoSuchBucket") {
		t.Fatalf("err = %v, want 404 NoSuchBucket", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("a missing bucket is ErrNotFound")
	}
}

func TestS3WrongSecret(t *testing.T) {
	const secret = "wJalrXUtnFEMI/WRONG/bPxRfiCYEXAMPLEKEY"
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket+"/p", fakeEnv("AWS_SECRET_ACCESS_KEY", secret))
	err := s.Put(context.Background(), "k", []byte("data"))
	if err == nil {
		t.Fatal("Put with a wrong secret succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "s3://results/p: PUT k: 403 SignatureDoesNotMatch: ") {
		t.Errorf("error %q does not name the store, the key and the S3 error", msg)
	}
	for _, leak := range []string{secret, "Signature=", "AWS4-HMAC-SHA256", "CanonicalRequest"} {
		if strings.Contains(msg, leak) || strings.Contains(s.String(), leak) {
			t.Errorf("error %q or String %q contains %q", msg, s, leak)
		}
	}
	if n := len(f.received()); n != 1 {
		t.Errorf("%d requests, want 1 (a 403 is no reason to try again)", n)
	}
}

func TestS3UnknownAccessKey(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket, fakeEnv("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN"))
	_, err := s.Get(context.Background(), "k")
	if err == nil || !strings.Contains(err.Error(), "403 InvalidAccessKeyId") {
		t.Fatalf("err = %v, want 403 InvalidAccessKeyId", err)
	}
}

func TestS3WrongRegion(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket+"?region=eu-west-1", fakeEnv())
	_, err := s.Get(context.Background(), "k")
	if err == nil || !strings.Contains(err.Error(), "400 AuthorizationHeaderMalformed") || !strings.Contains(err.Error(), "eu-west-1") {
		t.Fatalf("err = %v, want 400 AuthorizationHeaderMalformed naming the region", err)
	}
}

func TestS3ClockSkew(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket, fakeEnv())
	s.now = func() time.Time { return time.Now().Add(-time.Hour) }
	err := s.Put(context.Background(), "k", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "RequestTimeTooSkewed") {
		t.Fatalf("err = %v, want RequestTimeTooSkewed", err)
	}
}

func TestS3SessionToken(t *testing.T) {
	const token = "FwoGZXIvYXdzEFAKE//token+with/slashes=="
	f := newFakeS3(t)
	f.keys["ASIATEMPORARY"] = fakeKey{secret: "temporary-secret", token: token}
	env := fakeEnv("AWS_ACCESS_KEY_ID", "ASIATEMPORARY", "AWS_SECRET_ACCESS_KEY", "temporary-secret", "AWS_SESSION_TOKEN", token)
	s := openFake(t, f, fakeBucket, env)
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	for _, r := range f.received() {
		if got := r.Header.Get("X-Amz-Security-Token"); got != token {
			t.Errorf("%s sent X-Amz-Security-Token %q", r.Method, got)
		}
		if !strings.Contains(r.Header.Get("Authorization"), "x-amz-security-token") {
			t.Errorf("%s did not sign the session token", r.Method)
		}
	}
	if strings.Contains(s.String(), token) {
		t.Errorf("String %q contains the session token", s)
	}

	for name, env := range map[string]func(string) string{
		"no token":    fakeEnv("AWS_ACCESS_KEY_ID", "ASIATEMPORARY", "AWS_SECRET_ACCESS_KEY", "temporary-secret"),
		"wrong token": fakeEnv("AWS_ACCESS_KEY_ID", "ASIATEMPORARY", "AWS_SECRET_ACCESS_KEY", "temporary-secret", "AWS_SESSION_TOKEN", "stale"),
	} {
		s := openFake(t, f, fakeBucket, env)
		_, err := s.Get(ctx, "k")
		if err == nil || !strings.Contains(err.Error(), "403 InvalidToken") {
			t.Errorf("%s: err = %v, want 403 InvalidToken", name, err)
		}
	}
}

func TestS3Retry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fail     []int
		drop     int
		wantErr  string
		requests int
	}{
		{name: "503 then success", fail: []int{503}, requests: 2},
		{name: "500 and 429 then success", fail: []int{500, 429}, requests: 3},
		{name: "dropped connection then success", drop: 1, requests: 2},
		{name: "503 three times", fail: []int{503, 503, 503}, wantErr: "s3://results: PUT k: 503 SlowDown: Please reduce your request rate.", requests: 3},
		{name: "400 not tried again", fail: []int{400}, wantErr: "400 InternalError", requests: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeS3(t)
			f.fail = tc.fail
			f.drop = tc.drop
			s := openFake(t, f, fakeBucket, fakeEnv())
			err := s.Put(context.Background(), "k", []byte("payload"))
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if n := len(f.received()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.wantErr == "" {
				if o, ok := f.object(fakeBucket, "k"); !ok || string(o.data) != "payload" {
					t.Errorf("object = %q, %v", o.data, ok)
				}
			}
		})
	}
}

func TestS3RetryHonorsContext(t *testing.T) {
	f := newFakeS3(t)
	f.fail = []int{503}
	s := openFake(t, f, fakeBucket, fakeEnv())
	s.backoff = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Get(ctx, "k")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "503 SlowDown") {
		t.Errorf("error %q does not say what failed before", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Get took %v after its context was done", d)
	}
}

func TestS3InvalidKeys(t *testing.T) {
	f := newFakeS3(t)
	s := openFake(t, f, fakeBucket+"/p", fakeEnv())
	testInvalidKeys(t, s)
	if n := len(f.received()); n != 0 {
		t.Errorf("%d requests for invalid keys", n)
	}
}

// TestFakeS3 checks that the fake refuses what S3 refuses, so the tests
// above passing means the client was right rather than the fake lenient.
func TestFakeS3(t *testing.T) {
	f := newFakeS3(t)
	sign := signer{creds: credentials{accessKey: fakeAccessKey, secretKey: fakeSecret}, region: "us-east-1", service: "s3"}
	send := func(method, path, body, hash string, tamper func(*http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		sign.sign(req, hash, time.Now())
		if tamper != nil {
			tamper(req)
		}
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	hashOf := func(s string) string { return contentKey([]byte(s)) }

	if status, body := send("PUT", "/results/a", "x", hashOf("x"), nil); status != 200 {
		t.Fatalf("a correct PUT: %d %s", status, body)
	}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   string
		hash   string
		tamper func(*http.Request)
		status int
		code   string
	}{
		{"payload differs from its hash", "PUT", "/results/a", "y", hashOf("x"), nil, 400, "XAmzContentSHA256Mismatch"},
		{"unsigned payload", "PUT", "/results/a", "x", "UNSIGNED-PAYLOAD", nil, 400, "XAmzContentSHA256Mismatch"},
		{"header changed after signing", "PUT", "/results/a", "x", hashOf("x"), func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 403, "SignatureDoesNotMatch"},
		{"path changed after signing", "GET", "/results/a", "", emptySHA256, func(r *http.Request) { r.URL.Path = "/results/b" }, 403, "SignatureDoesNotMatch"},
		{"unsigned x-amz header", "GET", "/results/a", "", emptySHA256, func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "1") }, 403, "AccessDenied"},
		{"no signature", "GET", "/results/a", "", emptySHA256, func(r *http.Request) { r.Header.Del("Authorization") }, 403, "AccessDenied"},
		{"absent object", "GET", "/results/b", "", emptySHA256, nil, 404, "NoSuchKey"},
		{"absent bucket", "GET", "/nobucket/a", "", emptySHA256, nil, 404, "NoSuchBucket"},
	} {
		status, body := send(tc.method, tc.path, tc.body, tc.hash, tc.tamper)
		if status != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	if status, body := send("GET", "/results/a", "", emptySHA256, nil); status != 200 || body != "x" {
		t.Errorf("a correct GET: %d %q", status, body)
	}
}
