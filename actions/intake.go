package actions

import "time"

// Intake says how `playbook serve` fetches events incrementally with a
// command (Wiz Fetch Event, Cortex XDR Fetch Incident): which inputs bound
// the time window, how the command pages, how often it may run, and which
// of the integration's shipped field mappings read its Raw Data.
type Intake struct {
	// Start and End are the time inputs of the window; the intake sets
	// them to the high-water mark (minus tolerance) and to now.
	Start, End string
	// MinEvery is the shortest interval the vendor page allows between
	// fetches ("at least every 12 hours"); 0 means none.
	MinEvery time.Duration
	// Offset and Limit, when set, are the paging inputs of a command that
	// returns one page per call: the intake asks for PageSize items from
	// offset 0, then the next offset, until a page comes back short.
	Offset, Limit string
	PageSize      int64
	// PageItems is the JSONPath of one page's items in Raw Data
	// ("$.reply.incidents"): a page with fewer than PageSize is the last.
	PageItems string
	// Mappings names the shipped mappings ([Integration.Mappings]) made
	// for this command's Raw Data; the first is the default.
	Mappings []string
}

// Mapping is a field mapping as the vendor page pre-configures it: where
// the events are in a command's Raw Data (Main Event JSON Path), which
// field identifies one, the fields every event gets (the default event
// source), and event sources selected by a search string with fields of
// their own. It is data: `playbook serve` compiles the paths.
type Mapping struct {
	// Name is how serve.yaml refers to it: "wiz.issues".
	Name        string
	Description string
	// MainPath is the Main Event JSON Path: "$.data.nodes". A path that
	// selects one array means its elements.
	MainPath string
	// UniqueKey is the path, relative to each event, of its unique key
	// (".id"); an event source may set its own.
	UniqueKey string
	// Fields are the default event source's field map, in the page's order.
	Fields []MappedField
	// Sources are the event sources selected by a search string.
	Sources []EventSource
}

// MappedField maps one event field (a name as the vendor page writes it,
// "Document ID") to a path relative to the event (".id").
type MappedField struct {
	Name string
	Path string
}

// EventSource is a set of fields for the events a search string selects:
// "{__typename}=Issue" holds for an event whose __typename is Issue.
type EventSource struct {
	Search    string
	UniqueKey string // "" means the mapping's
	Fields    []MappedField
}

// Mapping returns the shipped mapping with that name.
func (i Integration) Mapping(name string) (Mapping, bool) {
	for _, m := range i.Mappings {
		if m.Name == name {
			return m, true
		}
	}
	return Mapping{}, false
}

// MappedFields pairs names and paths, as the vendor pages' mapping tables
// list them: MappedFields("Title", ".incident_name", "Status", ".status").
func MappedFields(pairs ...string) []MappedField {
	out := make([]MappedField, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, MappedField{Name: pairs[i], Path: pairs[i+1]})
	}
	return out
}
