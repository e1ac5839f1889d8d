package blob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	sigAlgorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat = "20060102T150405Z"
	// emptySHA256 is the hex SHA-256 of no bytes, the payload hash of a GET.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// credentials are an AWS access key, its secret and an optional session
// token.
type credentials struct {
	accessKey    string
	secretKey    string
	sessionToken string
}

// signer signs requests with AWS Signature Version 4 in the Authorization
// header, the payload hash included.
type signer struct {
	creds   credentials
	region  string
	service string
}

// unsignedHeaders are never signed: a proxy or the transport may change
// them on the way.
var unsignedHeaders = map[string]bool{
	"authorization":   true,
	"user-agent":      true,
	"content-length":  true,
	"expect":          true,
	"x-amzn-trace-id": true,
}

// sign sets the X-Amz-Date, X-Amz-Content-Sha256 and (with a session
// token) X-Amz-Security-Token headers of req for time t and the payload
// whose hex SHA-256 is payloadHash, then sets its Authorization header. It
// signs the host and every header req carries but [unsignedHeaders], and
// req.URL.Path, encoded once per segment (S3's rule).
func (s *signer) sign(req *http.Request, payloadHash string, t time.Time) {
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if s.creds.sessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", s.creds.sessionToken)
	}
	req.Header.Del("Authorization")

	creq, signedHeaders := canonicalRequest(req, payloadHash)
	scope := strings.Join([]string{amzDate[:8], s.region, s.service, "aws4_request"}, "/")
	stringToSign := strings.Join([]string{sigAlgorithm, amzDate, scope, hexSHA256([]byte(creq))}, "\n")

	key := hmacSHA256([]byte("AWS4"+s.creds.secretKey), amzDate[:8])
	key = hmacSHA256(key, s.region)
	key = hmacSHA256(key, s.service)
	key = hmacSHA256(key, "aws4_request")
	signature := hex.EncodeToString(hmacSHA256(key, stringToSign))

	req.Header.Set("Authorization", sigAlgorithm+
		" Credential="+s.creds.accessKey+"/"+scope+
		",SignedHeaders="+signedHeaders+
		",Signature="+signature)
}

// canonicalRequest returns the canonical request of req and its signed
// header list.
func canonicalRequest(req *http.Request, payloadHash string) (creq, signedHeaders string) {
	headers := map[string][]string{}
	for name, values := range req.Header {
		name = strings.ToLower(name)
		if unsignedHeaders[name] {
			continue
		}
		headers[name] = append(headers[name], values...)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers["host"] = []string{host}

	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, name := range names {
		values := make([]string, len(headers[name]))
		for i, v := range headers[name] {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		canon.WriteString(name)
		canon.WriteByte(':')
		canon.WriteString(strings.Join(values, ","))
		canon.WriteByte('\n')
	}
	signedHeaders = strings.Join(names, ";")

	creq = strings.Join([]string{
		req.Method,
		canonicalURI(req.URL.Path),
		canonicalQuery(req.URL.RawQuery),
		canon.String(),
		signedHeaders,
		payloadHash,
	}, "\n")
	return creq, signedHeaders
}

// canonicalURI is path with each segment URI-encoded once.
func canonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		segs[i] = uriEncode(seg)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery is the query's parameters, names and values URI-encoded,
// sorted by name and then value.
func canonicalQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	type param struct{ name, value string }
	var params []param
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		params = append(params, param{uriEncode(k), uriEncode(v)})
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].name != params[j].name {
			return params[i].name < params[j].name
		}
		return params[i].value < params[j].value
	})
	pairs := make([]string, len(params))
	for i, p := range params {
		pairs[i] = p.name + "=" + p.value
	}
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte of s but the unreserved ones
// (A-Z a-z 0-9 - . _ ~), with upper-case hex digits, as SigV4 requires.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
