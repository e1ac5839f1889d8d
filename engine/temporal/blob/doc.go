// Package blob keeps large Temporal payloads outside workflow history.
//
// A payload codec that applies the claim-check pattern writes a payload
// too large for history to a [Store] under a content-addressed key and
// leaves only that key in the history; decoding reads the payload back by
// key. Objects are immutable: a key always names the same bytes, so a
// write may be repeated and a read may be retried freely.
//
// [Open] turns a result-store location into a Store: a directory on a
// disk the workers share ([Dir]), or a bucket of an S3-compatible object
// store ([S3]), signed with AWS Signature Version 4 from credentials in
// the environment.
package blob
