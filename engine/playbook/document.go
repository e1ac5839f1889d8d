package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

var yamlErrLine = regexp.MustCompile(`line (\d+): (.*)$`)

// DecodeDocument reads the YAML document of another file kind (a test
// file, a connections file) for its loader, with the playbook loader's
// guards: the size cap; empty, the message for a file with no document;
// a syntax error at its line, kept inside the file; and no aliases or
// nesting deeper than maxDepth, naming the files (what: "test files").
// It returns the root node, or nil and the error.
func DecodeDocument(file string, src []byte, empty, what string, maxDepth int) (*yaml.Node, *Error) {
	at := func(line int, format string, args ...any) *Error {
		return &Error{File: file, Pos: Pos{Line: line, Col: 1}, Msg: fmt.Sprintf(format, args...)}
	}
	if len(src) > MaxFileSize {
		return nil, at(1, "file is larger than %d bytes", MaxFileSize)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, at(1, "%s", empty)
		}
		line, msg := 1, err.Error()
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = "yaml: " + m[2]
		}
		return nil, at(min(line, LineCount(src)), "%s", msg)
	}
	if len(doc.Content) == 0 {
		return nil, at(1, "%s", empty)
	}
	root := doc.Content[0]
	if e := plainNode(root, 0, maxDepth, what); e != nil {
		e.File = file
		return nil, e
	}
	return root, nil
}

// plainNode finds an alias, or nesting deeper than maxDepth.
func plainNode(n *yaml.Node, depth, maxDepth int, what string) *Error {
	if depth > maxDepth {
		return &Error{Pos: pos(n), Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	if n.Kind == yaml.AliasNode {
		return &Error{Pos: pos(n), Msg: "YAML aliases are not supported in " + what}
	}
	for _, c := range n.Content {
		if e := plainNode(c, depth+1, maxDepth, what); e != nil {
			return e
		}
	}
	return nil
}

// KindName names a node's kind for messages: "a mapping", "a list",
// "null", "a boolean", "a number", "a string".
func KindName(n *yaml.Node) string { return kindName(n) }

// Keys reads a mapping node of an authored file (connections, serve.yaml)
// by its keys, reporting a node that is not a mapping, duplicate keys, and
// keys not in known (with a "did you mean"). It returns nil when n is not
// a mapping.
func Keys(file string, n *yaml.Node, what string, known []string) (map[string]*yaml.Node, ErrorList) {
	var errs ErrorList
	errorf := func(at *yaml.Node, hint, format string, args ...any) {
		errs = append(errs, &Error{File: file, Pos: Pos{Line: at.Line, Col: at.Column}, Msg: fmt.Sprintf(format, args...), Hint: hint})
	}
	if n.Kind != yaml.MappingNode {
		errorf(n, "", "%s must be a mapping, got %s", what, KindName(n))
		return nil, errs
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out[k.Value]; dup {
			errorf(k, "", "duplicate key %q", k.Value)
			continue
		}
		if !slices.Contains(known, k.Value) {
			errorf(k, Suggest(k.Value, known), "unknown key %q in %s", k.Value, what)
			continue
		}
		out[k.Value] = v
	}
	return out, errs
}
