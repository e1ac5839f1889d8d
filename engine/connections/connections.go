// Package connections loads a connections file: the named connections a
// playbook's connections: names are bound to, with their secrets given as
// env:NAME or file:PATH references and resolved only when a run needs
// them.
//
//	connections:
//	  xdr:
//	    integration: cortex_xdr
//	    server_url: https://api-tenant.xdr.us.paloaltonetworks.com
//	    api_key: env:XDR_API_KEY
//	    api_key_id: "7"
//
// Every error names the file, line and column; none quotes a secret.
package connections

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/playbook-sh/playbook/actions"
	"github.com/playbook-sh/playbook/engine/playbook"
)

// EnvVar names the environment variable that points at the connections
// file when --connections is not given.
const EnvVar = "PLAYBOOK_CONNECTIONS"

// DefaultFile is the connections file looked for in the working directory.
const DefaultFile = "connections.yaml"

// maxSecretFile caps the size of a file: secret.
const maxSecretFile = 64 << 10

// File is a loaded connections file.
type File struct {
	Path  string
	Conns []*Conn // in file order
	// Warnings are problems that do not stop a run: a plain http:// URL.
	Warnings []string
}

// Conn is one connection of the file, its secrets not yet resolved.
type Conn struct {
	Name        string
	Integration string
	Pos         playbook.Pos // of the name
	fields      map[string]field
	spec        actions.Integration
}

// field is one value as written: a literal, or an env:/file: reference.
type field struct {
	text string // the literal, or what follows env: / file:
	ref  string // "", "env" or "file"
	pos  playbook.Pos
}

// Lookup returns the connection with that name, or nil.
func (f *File) Lookup(name string) *Conn {
	for _, c := range f.Conns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Names returns the connection names in file order.
func (f *File) Names() []string {
	out := make([]string, len(f.Conns))
	for i, c := range f.Conns {
		out[i] = c.Name
	}
	return out
}

// Find returns the file to load: path when given, else $PLAYBOOK_CONNECTIONS,
// else connections.yaml in the working directory when it exists; "" when
// there is none.
func Find(path string) string {
	if path != "" {
		return path
	}
	if p := os.Getenv(EnvVar); p != "" {
		return p
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile
	}
	return ""
}

// Load reads and checks a connections file against the registry's
// integrations. Its error is a [playbook.ErrorList] holding every problem,
// or a plain error when the file cannot be read.
func Load(path string, reg *actions.Registry) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load connections %s: %w", path, err)
	}
	return Parse(path, src, reg)
}

// Parse checks a connections file read from src.
func Parse(path string, src []byte, reg *actions.Registry) (*File, error) {
	d := &decoder{file: path, reg: reg}
	f := &File{Path: path}
	d.parse(f, src)
	if err := d.errs.Err(); err != nil {
		return f, err
	}
	return f, nil
}

type decoder struct {
	file string
	reg  *actions.Registry
	errs playbook.ErrorList
}

func pos(n *yaml.Node) playbook.Pos { return playbook.Pos{Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(p playbook.Pos, hint, format string, args ...any) {
	d.errs = append(d.errs, &playbook.Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (d *decoder) parse(f *File, src []byte) {
	root, err := playbook.DecodeDocument(d.file, src, "empty connections file: expected connections:", "connections files", 20)
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	top := d.mapping(root, "the connections file", []string{"connections"})
	conns := top["connections"]
	if conns == nil {
		if root.Kind == yaml.MappingNode {
			d.errorf(pos(root), "", "missing connections:")
		}
		return
	}
	if conns.Kind != yaml.MappingNode {
		d.errorf(pos(conns), "", "connections must be a mapping of names to connections, got %s", playbook.KindName(conns))
		return
	}
	seen := map[string]playbook.Pos{}
	for i := 0; i+1 < len(conns.Content); i += 2 {
		k, v := conns.Content[i], conns.Content[i+1]
		if k.Kind != yaml.ScalarNode || !validName.MatchString(k.Value) {
			d.errorf(pos(k), "", "connection names are letters, digits and _, not starting with a digit")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(pos(k), "", "duplicate connection %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = pos(k)
		if c := d.conn(k, v, f); c != nil {
			f.Conns = append(f.Conns, c)
		}
	}
}

var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *decoder) mapping(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	m, errs := playbook.Keys(d.file, n, what, known)
	d.errs = append(d.errs, errs...)
	return m
}

func (d *decoder) conn(k, v *yaml.Node, f *File) *Conn {
	name := k.Value
	if v.Kind != yaml.MappingNode {
		d.errorf(pos(v), "", "connection %s must be a mapping with integration: and its fields, got %s", name, playbook.KindName(v))
		return nil
	}
	var integ *yaml.Node
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "integration" {
			integ = v.Content[i+1]
		}
	}
	if integ == nil {
		d.errorf(pos(k), "", "connection %s: missing integration: (one of %s)", name, strings.Join(d.reg.Integrations(), ", "))
		return nil
	}
	spec, ok := d.reg.Integration(integ.Value)
	if integ.Kind != yaml.ScalarNode || !ok {
		d.errorf(pos(integ), playbook.Suggest(integ.Value, d.reg.Integrations()), "connection %s: unknown integration %q", name, integ.Value)
		return nil
	}
	c := &Conn{Name: name, Integration: spec.Name, Pos: pos(k), fields: map[string]field{}, spec: spec}
	known := []string{"integration"}
	for _, fd := range spec.ConnectionFields() {
		known = append(known, fd.Name)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		fk, fv := v.Content[i], v.Content[i+1]
		if fk.Value == "integration" {
			continue
		}
		if _, dup := c.fields[fk.Value]; dup {
			d.errorf(pos(fk), "", "connection %s: duplicate key %q", name, fk.Value)
			continue
		}
		fd, ok := spec.Field(fk.Value)
		if !ok {
			d.errorf(pos(fk), playbook.Suggest(fk.Value, known), "connection %s: unknown field %q for %s", name, fk.Value, spec.Name)
			continue
		}
		if fv.Kind != yaml.ScalarNode || fv.ShortTag() == "!!null" {
			d.errorf(pos(fv), "", "connection %s: %s must be a string, got %s", name, fd.Name, playbook.KindName(fv))
			continue
		}
		fl := field{text: fv.Value, pos: pos(fv)}
		if ref, rest, ok := strings.Cut(fv.Value, ":"); ok && (ref == "env" || ref == "file") {
			fl.ref, fl.text = ref, rest
			if ref == "env" && !envName.MatchString(rest) {
				d.errorf(fl.pos, "", "connection %s: %s: env: names an environment variable (letters, digits and _), got %q", name, fd.Name, rest)
				continue
			}
			if ref == "file" && rest == "" {
				d.errorf(fl.pos, "", "connection %s: %s: file: needs a path", name, fd.Name)
				continue
			}
		}
		if fd.Secret && fl.ref == "" {
			// Never quote the value: it is a credential.
			d.errorf(fl.pos, "", "connection %s: %s is a secret: give it as env:NAME or file:PATH, not as a literal", name, fd.Name)
			continue
		}
		if fl.ref == "" {
			if msg := checkValue(fd, fl.text); msg != "" {
				d.errorf(fl.pos, "", "connection %s: %s %s", name, fd.Name, msg)
				continue
			}
			if fd.Kind == actions.URLField && strings.HasPrefix(strings.ToLower(fl.text), "http://") {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s:%d:%d: connection %s: %s uses http://: requests and credentials travel unencrypted",
					d.file, fl.pos.Line, fl.pos.Col, name, fd.Name))
			}
		}
		c.fields[fd.Name] = fl
	}
	for _, fd := range spec.Fields {
		if _, ok := c.fields[fd.Name]; fd.Required && !ok && fd.Default == "" {
			d.errorf(pos(k), "", "connection %s: missing %s (required by %s)", name, fd.Name, spec.Name)
		}
	}
	return c
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkValue checks a literal against its field's kind and options; it
// returns "" or the end of a message ("must be ...").
func checkValue(fd actions.ConnectionField, s string) string {
	if len(fd.Options) > 0 {
		for _, o := range fd.Options {
			if strings.EqualFold(o, s) {
				return ""
			}
		}
		return fmt.Sprintf("must be one of %s, got %q", strings.Join(fd.Options, ", "), s)
	}
	switch fd.Kind {
	case actions.URLField:
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "must be an http:// or https:// URL with a host"
		}
		if u.User != nil {
			return "must not hold credentials: give them in their own fields"
		}
	case actions.DurationField:
		if d, err := time.ParseDuration(s); err != nil || d < 0 {
			return fmt.Sprintf("must be a duration such as 30s, got %q", s)
		}
	case actions.IntegerField:
		if n, err := strconv.Atoi(s); err != nil || n < 0 {
			return fmt.Sprintf("must be a whole number >= 0, got %q", s)
		}
	case actions.NumberField:
		if n, err := strconv.ParseFloat(s, 64); err != nil || n < 0 {
			return fmt.Sprintf("must be a number >= 0, got %q", s)
		}
	}
	return ""
}

// Resolve returns the connection named name with its references read:
// env: from getenv (nil means os.LookupEnv), file: relative to the
// connections file's directory with one trailing newline dropped. Fields
// left out take their defaults. Errors name the field and the reference,
// never a value.
func (f *File) Resolve(name string, getenv func(string) (string, bool)) (*actions.Connection, error) {
	c := f.Lookup(name)
	if c == nil {
		return nil, fmt.Errorf("%s: no connection %q%s", f.Path, name, hintSuffix(playbook.Suggest(name, f.Names())))
	}
	if getenv == nil {
		getenv = os.LookupEnv
	}
	out := &actions.Connection{Name: c.Name, Integration: c.Integration, Settings: map[string]string{}, Secrets: map[string]actions.Secret{}}
	for _, fd := range c.spec.ConnectionFields() {
		fl, ok := c.fields[fd.Name]
		if !ok {
			if fd.Default != "" {
				out.Settings[fd.Name] = fd.Default
			}
			continue
		}
		v := fl.text
		at := fmt.Sprintf("%s:%d:%d: connection %s: %s", f.Path, fl.pos.Line, fl.pos.Col, c.Name, fd.Name)
		if fl.ref != "" {
			s, err := ResolveRef(fl.ref+":"+fl.text, filepath.Dir(f.Path), getenv)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", at, err)
			}
			v = s
		}
		if fl.ref != "" && !fd.Secret {
			if msg := checkValue(fd, v); msg != "" {
				return nil, fmt.Errorf("%s (from %s:%s) %s", at, fl.ref, fl.text, msg)
			}
		}
		if fd.Secret {
			out.Secrets[fd.Name] = actions.NewSecret(v)
		} else {
			out.Settings[fd.Name] = v
		}
	}
	return out, nil
}

// readSecretFile reads a file: reference, dropping one trailing newline.
// Its errors name the path, never the content.
// ResolveRef reads a secret given as env:NAME or file:PATH (a relative
// PATH is relative to dir; the file's one trailing newline is dropped).
// getenv nil means os.LookupEnv. Errors name the variable or file, never
// a value.
func ResolveRef(ref, dir string, getenv func(string) (string, bool)) (string, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	switch {
	case strings.HasPrefix(ref, "env:"):
		s, ok := getenv(ref[4:])
		if !ok || s == "" {
			return "", fmt.Errorf("environment variable %s is not set", ref[4:])
		}
		return s, nil
	case strings.HasPrefix(ref, "file:"):
		p := ref[5:]
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return readSecretFile(p)
	}
	return "", errors.New("not an env: or file: reference")
}

func readSecretFile(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("read file %s: %v", path, pe.Err)
		}
		return "", fmt.Errorf("read file %s: %v", path, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read file %s: %v", path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("file %s is larger than %d bytes", path, maxSecretFile)
	}
	s := string(b)
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else {
		s = strings.TrimSuffix(s, "\n")
	}
	if s == "" {
		return "", fmt.Errorf("file %s is empty", path)
	}
	return s, nil
}

func hintSuffix(h string) string {
	if h == "" {
		return ""
	}
	return " (" + h + ")"
}
