package blob

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeS3 is an S3 endpoint for tests: it authenticates every request the
// way S3 does, recomputing its Signature Version 4 on its own (nothing
// shared with the client's signer), and serves PUT and GET of objects in
// path style (/bucket/key) or virtual-hosted style (bucket.host/key), with
// S3's XML error replies.
type fakeS3 struct {
	region string
	// domain is the host name under which buckets are virtual hosts, in
	// addition to the server's own address.
	domain string
	srv    *httptest.Server

	mu       sync.Mutex
	keys     map[string]fakeKey               // by access key ID
	buckets  map[string]map[string]fakeObject // objects by bucket, then name
	fail     []int                            // statuses to reply with before serving
	drop     int                              // connections to close before serving
	requests []*http.Request                  // every request received, body read
}

type fakeKey struct {
	secret string
	token  string // required session token, if any
}

type fakeObject struct {
	data        []byte
	contentType string
}

const (
	fakeAccessKey = "AKIDFAKEEXAMPLE"
	fakeSecret    = "fake/Secret+Key0123456789abcdefEXAMPLE"
	fakeBucket    = "results"
	fakeDomain    = "s3.fake.test"
)

// newFakeS3 starts a fake S3 with the bucket fakeBucket and the key
// fakeAccessKey.
func newFakeS3(t testing.TB) *fakeS3 {
	f := &fakeS3{
		region:  "us-east-1",
		domain:  fakeDomain,
		keys:    map[string]fakeKey{fakeAccessKey: {secret: fakeSecret}},
		buckets: map[string]map[string]fakeObject{fakeBucket: {}},
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a client that reaches the fake whatever the host name,
// as if DNS pointed every name under the fake's domain at it.
func (f *fakeS3) client() *http.Client {
	addr := f.srv.Listener.Addr().String()
	tr := f.srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func (f *fakeS3) object(bucket, name string) (fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.buckets[bucket][name]
	return o, ok
}

func (f *fakeS3) received() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

// s3ErrorDoc is S3's error reply.
type s3ErrorDoc struct {
	XMLName          xml.Name `xml:"Error"`
	Code             string
	Message          string
	Resource         string `xml:",omitempty"`
	AWSAccessKeyID   string `xml:"AWSAccessKeyId,omitempty"`
	StringToSign     string `xml:",omitempty"`
	CanonicalRequest string `xml:",omitempty"`
	RequestID        string `xml:"RequestId"`
}

func writeS3Error(w http.ResponseWriter, status int, doc s3ErrorDoc) {
	doc.RequestID = "FAKE0000"
	out, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(out)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, s3ErrorDoc{Code: "IncompleteBody", Message: err.Error()})
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(r.Context()))
	if f.drop > 0 {
		f.drop--
		f.mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	if len(f.fail) > 0 {
		status := f.fail[0]
		f.fail = f.fail[1:]
		f.mu.Unlock()
		code := "InternalError"
		switch status {
		case http.StatusServiceUnavailable:
			code = "SlowDown"
		case http.StatusTooManyRequests:
			code = "TooManyRequests"
		}
		writeS3Error(w, status, s3ErrorDoc{Code: code, Message: "Please reduce your request rate."})
		return
	}
	f.mu.Unlock()

	if status, doc, ok := f.authenticate(r, body); !ok {
		writeS3Error(w, status, doc)
		return
	}

	bucket, name, ok := f.route(r)
	if !ok {
		writeS3Error(w, http.StatusBadRequest, s3ErrorDoc{Code: "InvalidRequest", Message: "the fake serves objects only"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	objects, ok := f.buckets[bucket]
	if !ok {
		writeS3Error(w, http.StatusNotFound, s3ErrorDoc{Code: "NoSuchBucket", Message: "The specified bucket does not exist", Resource: bucket})
		return
	}
	switch r.Method {
	case http.MethodPut:
		if r.ContentLength < 0 {
			writeS3Error(w, http.StatusLengthRequired, s3ErrorDoc{Code: "MissingContentLength", Message: "You must provide the Content-Length HTTP header."})
			return
		}
		objects[name] = fakeObject{data: body, contentType: r.Header.Get("Content-Type")}
		sum := md5.Sum(body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		o, ok := objects[name]
		if !ok {
			writeS3Error(w, http.StatusNotFound, s3ErrorDoc{Code: "NoSuchKey", Message: "The specified key does not exist.", Resource: "/" + bucket + "/" + name})
			return
		}
		sum := md5.Sum(o.data)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Content-Type", o.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
		_, _ = w.Write(o.data)
	default:
		writeS3Error(w, http.StatusMethodNotAllowed, s3ErrorDoc{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource."})
	}
}

// route splits a request into bucket and object name.
func (f *fakeS3) route(r *http.Request) (bucket, name string, ok bool) {
	addr := f.srv.Listener.Addr().String()
	for _, base := range []string{addr, f.domain} {
		if r.Host == base {
			bucket, name, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			return bucket, name, bucket != "" && name != ""
		}
		if b, found := strings.CutSuffix(r.Host, "."+base); found {
			name = strings.TrimPrefix(r.URL.Path, "/")
			return b, name, b != "" && name != ""
		}
	}
	return "", "", false
}

var authRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$`)

// authenticate checks the request's signature as S3 does and returns the
// error to reply with when it fails.
func (f *fakeS3) authenticate(r *http.Request, body []byte) (int, s3ErrorDoc, bool) {
	malformed := func(msg string) (int, s3ErrorDoc, bool) {
		return http.StatusBadRequest, s3ErrorDoc{Code: "AuthorizationHeaderMalformed", Message: msg}, false
	}
	m := authRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return http.StatusForbidden, s3ErrorDoc{Code: "AccessDenied", Message: "Access Denied"}, false
	}
	credential, signedList, signature := m[1], m[2], m[3]
	scope := strings.Split(credential, "/")
	if len(scope) != 5 {
		return malformed("the Credential is mal-formed")
	}
	accessKey, day, region, service, terminator := scope[0], scope[1], scope[2], scope[3], scope[4]
	f.mu.Lock()
	key, known := f.keys[accessKey]
	f.mu.Unlock()
	if !known {
		return http.StatusForbidden, s3ErrorDoc{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records.", AWSAccessKeyID: accessKey}, false
	}
	if region != f.region {
		return malformed(fmt.Sprintf("the region '%s' is wrong; expecting '%s'", region, f.region))
	}
	if service != "s3" || terminator != "aws4_request" {
		return malformed("the Credential is mal-formed")
	}

	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return http.StatusForbidden, s3ErrorDoc{Code: "AccessDenied", Message: "AWS authentication requires a valid Date or x-amz-date header"}, false
	}
	if day != amzDate[:8] {
		return malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if skew := time.Since(when); skew > 15*time.Minute || skew < -15*time.Minute {
		return http.StatusForbidden, s3ErrorDoc{Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."}, false
	}

	signed := strings.Split(signedList, ";")
	if !sort.StringsAreSorted(signed) {
		return http.StatusForbidden, s3ErrorDoc{Code: "SignatureDoesNotMatch", Message: "signed headers are not sorted"}, false
	}
	isSigned := map[string]bool{}
	for _, h := range signed {
		isSigned[h] = true
	}
	if !isSigned["host"] {
		return http.StatusForbidden, s3ErrorDoc{Code: "AccessDenied", Message: "the host header must be signed"}, false
	}
	for name := range r.Header {
		if n := strings.ToLower(name); strings.HasPrefix(n, "x-amz-") && !isSigned[n] {
			return http.StatusForbidden, s3ErrorDoc{Code: "AccessDenied", Message: "There were headers present in the request which were not signed: " + n}, false
		}
	}

	contentHash := r.Header.Get("X-Amz-Content-Sha256")
	if contentHash == "" {
		return http.StatusBadRequest, s3ErrorDoc{Code: "InvalidRequest", Message: "Missing required header for this request: x-amz-content-sha256"}, false
	}
	// S3 would take UNSIGNED-PAYLOAD too; the store always signs its
	// payload, so the fake holds it to that.
	if sum := sha256.Sum256(body); contentHash != hex.EncodeToString(sum[:]) {
		return http.StatusBadRequest, s3ErrorDoc{Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}, false
	}

	if token := r.Header.Get("X-Amz-Security-Token"); token != key.token {
		return http.StatusForbidden, s3ErrorDoc{Code: "InvalidToken", Message: "The provided token is malformed or otherwise invalid."}, false
	}

	// The canonical request, as the AWS documentation spells it out.
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	canon.WriteString(fakeEncodePath(r.URL.Path) + "\n")
	canon.WriteString(fakeCanonicalQuery(r) + "\n")
	for _, h := range signed {
		var value string
		if h == "host" {
			value = r.Host
		} else {
			vals := r.Header.Values(h)
			for i := range vals {
				vals[i] = spaceRun.ReplaceAllString(strings.TrimSpace(vals[i]), " ")
			}
			value = strings.Join(vals, ",")
		}
		canon.WriteString(h + ":" + value + "\n")
	}
	canon.WriteString("\n" + signedList + "\n" + contentHash)

	digest := sha256.Sum256([]byte(canon.String()))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + day + "/" + region + "/s3/aws4_request\n" + hex.EncodeToString(digest[:])
	mac := func(k []byte, s string) []byte {
		h := hmac.New(sha256.New, k)
		io.WriteString(h, s)
		return h.Sum(nil)
	}
	signingKey := mac(mac(mac(mac([]byte("AWS4"+key.secret), day), region), "s3"), "aws4_request")
	want := hex.EncodeToString(mac(signingKey, stringToSign))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return http.StatusForbidden, s3ErrorDoc{
			Code:             "SignatureDoesNotMatch",
			Message:          "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			AWSAccessKeyID:   accessKey,
			StringToSign:     stringToSign,
			CanonicalRequest: canon.String(),
		}, false
	}
	return 0, s3ErrorDoc{}, true
}

var spaceRun = regexp.MustCompile(` +`)

const unreservedBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

func fakeEncode(s string, keepSlash bool) string {
	out := ""
	for _, b := range []byte(s) {
		if strings.IndexByte(unreservedBytes, b) >= 0 || keepSlash && b == '/' {
			out += string(b)
		} else {
			out += fmt.Sprintf("%%%02X", b)
		}
	}
	return out
}

func fakeEncodePath(p string) string {
	if p == "" {
		return "/"
	}
	return fakeEncode(p, true)
}

func fakeCanonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	var pairs []string
	names := make([]string, 0, len(q))
	for n := range q {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		vals := append([]string(nil), q[n]...)
		sort.Strings(vals)
		for _, v := range vals {
			pairs = append(pairs, fakeEncode(n, false)+"="+fakeEncode(v, false))
		}
	}
	return strings.Join(pairs, "&")
}
