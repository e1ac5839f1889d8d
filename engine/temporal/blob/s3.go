package blob

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// S3 is a [Store] in a bucket of an S3-compatible object store (Amazon S3,
// MinIO, Ceph, ...), spoken to over its REST API with requests signed by
// AWS Signature Version 4, the payload's hash included. The object of a key
// is PREFIX/key. Requests that fail with a network error, a 5xx or a 429
// are tried up to three times. [Open] makes one.
type S3 struct {
	// Client sends the requests. Open sets a client with a 60-second
	// timeout; nil means a shared one like it.
	Client *http.Client

	endpoint  *url.URL // scheme and host only
	bucket    string
	prefix    string
	pathStyle bool
	signer    signer
	backoff   time.Duration // before the second try; doubled after
	now       func() time.Time
}

const (
	maxTries       = 3
	defaultTimeout = 60 * time.Second
	defaultBackoff = 200 * time.Millisecond
	// maxErrorBody bounds how much of an error reply is read.
	maxErrorBody = 64 << 10
)

var defaultClient = &http.Client{Timeout: defaultTimeout}

func openS3(location string, getenv func(string) string) (*S3, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("blob: result store %q: %s", redact(location), fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(location)
	if err != nil {
		return nil, bad("%v", parseErr(err))
	}
	switch {
	case u.Opaque != "":
		return nil, bad("want s3://BUCKET[/PREFIX]")
	case u.User != nil:
		return nil, bad("credentials do not belong in the location; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	case u.Fragment != "":
		return nil, bad("unexpected fragment")
	case u.Host == "":
		return nil, bad("empty bucket (want s3://BUCKET[/PREFIX])")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("query: %v", err)
	}
	for name, values := range q {
		switch name {
		case "endpoint", "region", "path_style":
		default:
			return nil, bad("unknown parameter %q (want endpoint, region or path_style)", name)
		}
		if len(values) > 1 {
			return nil, bad("parameter %q given %d times", name, len(values))
		}
	}

	region := q.Get("region")
	if region == "" {
		region = getenv("AWS_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	if !validRegion(region) {
		return nil, bad("invalid region %q", region)
	}

	s := &S3{
		Client:  &http.Client{Timeout: defaultTimeout},
		bucket:  u.Host,
		prefix:  strings.TrimPrefix(u.Path, "/"),
		backoff: defaultBackoff,
		now:     time.Now,
	}
	if e := q.Get("endpoint"); e != "" {
		ep, err := url.Parse(e)
		switch {
		case err != nil:
			return nil, bad("endpoint %q: %v", redact(e), parseErr(err))
		case ep.Scheme != "http" && ep.Scheme != "https":
			return nil, bad("endpoint %q: want an http:// or https:// URL", redact(e))
		case ep.Host == "":
			return nil, bad("endpoint %q: no host", redact(e))
		case ep.User != nil:
			return nil, bad("endpoint %q: credentials do not belong in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", redact(e))
		case ep.Path != "" && ep.Path != "/", ep.RawQuery != "", ep.Fragment != "":
			return nil, bad("endpoint %q: want a scheme and a host only", redact(e))
		}
		s.endpoint = &url.URL{Scheme: ep.Scheme, Host: ep.Host}
		s.pathStyle = true
	} else {
		s.endpoint = &url.URL{Scheme: "https", Host: "s3." + region + ".amazonaws.com"}
	}
	if ps := q.Get("path_style"); ps != "" {
		b, err := strconv.ParseBool(ps)
		if err != nil {
			return nil, bad("path_style %q: want true or false", ps)
		}
		s.pathStyle = b
	}
	switch {
	case !validBucket(s.bucket, true):
		return nil, bad("invalid bucket name %q", s.bucket)
	case !validBucket(s.bucket, s.pathStyle):
		return nil, bad("bucket name %q cannot be a host name; add path_style=true", s.bucket)
	}

	creds := credentials{
		accessKey:    getenv("AWS_ACCESS_KEY_ID"),
		secretKey:    getenv("AWS_SECRET_ACCESS_KEY"),
		sessionToken: getenv("AWS_SESSION_TOKEN"),
	}
	var missing []string
	if creds.accessKey == "" {
		missing = append(missing, "AWS_ACCESS_KEY_ID")
	}
	if creds.secretKey == "" {
		missing = append(missing, "AWS_SECRET_ACCESS_KEY")
	}
	if len(missing) > 0 {
		return nil, bad("no credentials: set %s in the environment (and AWS_SESSION_TOKEN for temporary credentials)", strings.Join(missing, " and "))
	}
	s.signer = signer{creds: creds, region: region, service: "s3"}
	return s, nil
}

// validRegion reports whether region can go into a host name and a
// credential scope.
func validRegion(region string) bool {
	if len(region) > 64 {
		return false
	}
	for i := 0; i < len(region); i++ {
		c := region[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return region != ""
}

// validBucket reports whether bucket can name a bucket: in the path,
// letters, digits, '.', '_' and '-' (older buckets and other stores allow
// more than S3's current rules); in the host name, lower-case letters,
// digits, '.' and '-', not starting or ending with '.' or '-'.
func validBucket(bucket string, pathStyle bool) bool {
	if bucket == "" || len(bucket) > 255 {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-':
		case pathStyle && ('A' <= c && c <= 'Z' || c == '_'):
		default:
			return false
		}
	}
	if !pathStyle {
		first, last := bucket[0], bucket[len(bucket)-1]
		return len(bucket) <= 63 && first != '.' && first != '-' && last != '.' && last != '-' &&
			!strings.Contains(bucket, "..")
	}
	return true
}

// String returns "s3://BUCKET[/PREFIX]".
func (s *S3) String() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + s.prefix
}

// objectName is the name of key's object in the bucket.
func (s *S3) objectName(key string) string {
	if s.prefix == "" || strings.HasSuffix(s.prefix, "/") {
		return s.prefix + key
	}
	return s.prefix + "/" + key
}

// objectURL is the URL of key's object, its path encoded as it is signed.
func (s *S3) objectURL(key string) *url.URL {
	u := &url.URL{Scheme: s.endpoint.Scheme, Host: s.endpoint.Host}
	if s.pathStyle {
		u.Path = "/" + s.bucket + "/" + s.objectName(key)
	} else {
		u.Host = s.bucket + "." + u.Host
		u.Path = "/" + s.objectName(key)
	}
	u.RawPath = canonicalURI(u.Path)
	return u
}

// Put stores data as key's object.
func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("%s: PUT: %w", s, err)
	}
	_, err := s.do(ctx, http.MethodPut, key, data)
	return err
}

// Get returns key's object.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("%s: GET: %w", s, err)
	}
	return s.do(ctx, http.MethodGet, key, nil)
}

// do sends method for key's object, tried again after a failure worth
// another try, and returns the reply's body.
func (s *S3) do(ctx context.Context, method, key string, data []byte) ([]byte, error) {
	u := s.objectURL(key).String()
	hash := emptySHA256
	if method == http.MethodPut {
		hash = hexSHA256(data)
	}
	var err error
	for try := 0; try < maxTries; try++ {
		if try > 0 {
			if werr := sleep(ctx, s.backoff<<(try-1)); werr != nil {
				return nil, fmt.Errorf("%s: %s %s: %w (after %v)", s, method, key, werr, err)
			}
		}
		var body []byte
		var retry bool
		body, retry, err = s.send(ctx, method, u, data, hash)
		if err == nil {
			return body, nil
		}
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%s: %s %s: %w", s, method, key, err)
}

// send makes one request, and reports whether an error is worth another
// try.
func (s *S3) send(ctx context.Context, method, u string, data []byte, hash string) (body []byte, retry bool, err error) {
	var rd io.Reader
	if method == http.MethodPut {
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, false, err
	}
	if method == http.MethodPut {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	s.signer.sign(req, hash, s.now())

	client := s.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := parseS3Error(resp)
		return nil, e.retryable(), e
	}
	if method != http.MethodGet {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil, false, nil
	}
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, true, fmt.Errorf("reading the object: %w", err)
	}
	return body, false, nil
}

// sleep waits about d (jittered), or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		d = d/2 + rand.N(d/2+1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// s3Error is a reply with a status other than 2xx: its status and the
// code and message of its XML error document, if any.
type s3Error struct {
	status  int
	code    string
	message string
}

func parseS3Error(resp *http.Response) *s3Error {
	e := &s3Error{status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(raw, &doc) == nil {
		e.code = clip(doc.Code, 100)
		e.message = clip(doc.Message, 500)
	}
	return e
}

// clip collapses white space in s and bounds its length.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

func (e *s3Error) Error() string {
	msg := strconv.Itoa(e.status)
	if e.code != "" {
		msg += " " + e.code
	} else {
		msg += " " + http.StatusText(e.status)
	}
	if e.message != "" {
		msg += ": " + e.message
	}
	return msg
}

// Unwrap makes a missing object [ErrNotFound]. A missing bucket is not: it
// is a mistake in the location, not an object the store lost.
func (e *s3Error) Unwrap() error {
	if e.status == http.StatusNotFound && e.code == "NoSuchKey" {
		return ErrNotFound
	}
	return nil
}

func (e *s3Error) retryable() bool {
	return e.status >= 500 || e.status == http.StatusTooManyRequests || e.code == "RequestTimeout"
}

var (
	_ Store = (*S3)(nil)
	_ Store = (*Dir)(nil)
)
