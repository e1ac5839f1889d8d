package schedule

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Overlap says what a fire does while the schedule's previous run is still
// running.
type Overlap string

// The overlap policies of serve.yaml.
const (
	OverlapSkip  Overlap = "skip"  // drop the fire
	OverlapQueue Overlap = "queue" // run it when the previous run ends; one fire waits at most
	OverlapAllow Overlap = "allow" // run it alongside
)

// CatchUp says what a schedule runs for the fires it missed while serve was
// down.
type CatchUp string

// The catch-up policies of serve.yaml.
const (
	CatchUpNone CatchUp = "none" // run nothing
	CatchUpLast CatchUp = "last" // run the latest missed fire once
)

// Spec is one schedule of serve.yaml, less the playbook and its inputs.
// Exactly one of Cron and Every is set.
type Spec struct {
	Name     string
	Cron     string        // 5 fields or a descriptor such as @hourly
	Every    time.Duration // at least 1s; fires are aligned to the Unix epoch
	Timezone string        // IANA name for Cron; default UTC
	Overlap  Overlap       // default skip
	CatchUp  CatchUp       // default none
	Jitter   time.Duration // default 0; less than [Schedule.MinGap]
}

// FieldError is a schedule that does not parse. Field is the serve.yaml key
// at fault ("cron", "every", "timezone", "overlap", "catch_up" or "jitter")
// so the caller can point at its line and column.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Schedule is a parsed [Spec]. It is immutable and safe for concurrent use.
type Schedule struct {
	spec   Spec
	cron   *cron.SpecSchedule // nil for Every
	offset time.Duration      // for Every: the zero Time's distance to the epoch, modulo Every
	minGap time.Duration
}

// reference starts the year over which MinGap looks at cron fires.
var reference = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	cronParser  = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	cronFields  = []string{"minute", "hour", "day-of-month", "month", "day-of-week"}
	descriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

// Parse checks s and fills its defaults: time zone UTC, overlap skip,
// catch-up none. Every error is a [*FieldError].
func Parse(s Spec) (*Schedule, error) {
	s.Cron = strings.TrimSpace(s.Cron)
	switch {
	case s.Cron != "" && s.Every != 0:
		return nil, &FieldError{"every", "cron and every cannot both be set"}
	case s.Cron == "" && s.Every == 0:
		return nil, &FieldError{"cron", "one of cron or every is required"}
	case s.Cron == "" && s.Every < time.Second:
		return nil, &FieldError{"every", fmt.Sprintf("must be at least 1s, got %v", s.Every)}
	}
	if s.Timezone == "" {
		s.Timezone = "UTC"
	}
	sch := &Schedule{spec: s}
	if s.Cron == "" {
		if s.Timezone != "UTC" {
			return nil, &FieldError{"timezone", "applies to cron only, not every"}
		}
		sch.offset = epochOffset(s.Every)
		sch.minGap = s.Every
	} else {
		// "Local" is the host's zone: refused, so that a schedule means the
		// same on every host.
		if s.Timezone == "Local" {
			return nil, &FieldError{"timezone", `"Local" depends on the host; name an IANA zone such as "Europe/Paris"`}
		}
		loc, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return nil, &FieldError{"timezone", fmt.Sprintf("unknown time zone %q", s.Timezone)}
		}
		if sch.cron, err = parseCron(s.Cron, loc); err != nil {
			return nil, err
		}
		sch.minGap = cronMinGap(sch.cron)
	}
	switch s.Overlap {
	case "":
		sch.spec.Overlap = OverlapSkip
	case OverlapSkip, OverlapQueue, OverlapAllow:
	default:
		return nil, &FieldError{"overlap", fmt.Sprintf("unknown value %q; want skip, queue or allow", s.Overlap)}
	}
	switch s.CatchUp {
	case "":
		sch.spec.CatchUp = CatchUpNone
	case CatchUpNone, CatchUpLast:
	default:
		return nil, &FieldError{"catch_up", fmt.Sprintf("unknown value %q; want none or last", s.CatchUp)}
	}
	switch {
	case s.Jitter < 0:
		return nil, &FieldError{"jitter", fmt.Sprintf("must not be negative, got %v", s.Jitter)}
	case s.Jitter >= sch.minGap:
		return nil, &FieldError{"jitter", fmt.Sprintf("%v must be less than the smallest gap between fires (%v)", s.Jitter, sch.minGap)}
	}
	return sch, nil
}

// parseCron parses a 5-field expression or a descriptor, naming the field
// at fault.
func parseCron(expr string, loc *time.Location) (*cron.SpecSchedule, error) {
	fail := func(format string, args ...any) error {
		return &FieldError{"cron", fmt.Sprintf(format, args...)}
	}
	fields := strings.Fields(expr)
	switch {
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return nil, fail("set the time zone with timezone, not in cron")
	case fields[0] == "@every":
		return nil, fail("@every is not allowed in cron; use every instead")
	case strings.HasPrefix(expr, "@"):
		if len(fields) != 1 || !contains(descriptors, expr) {
			return nil, fail("unknown descriptor %q; want one of %s", expr, strings.Join(descriptors, ", "))
		}
	case len(fields) != 5:
		return nil, fail("expected 5 fields (minute hour day-of-month month day-of-week), got %d", len(fields))
	}
	parsed, err := cronParser.Parse(expr)
	if err != nil {
		// Parse each field alone to say which one is wrong.
		for i, name := range cronFields {
			probe := []string{"*", "*", "*", "*", "*"}
			probe[i] = fields[i]
			if _, perr := cronParser.Parse(strings.Join(probe, " ")); perr != nil {
				return nil, fail("%s: %v", name, perr)
			}
		}
		return nil, fail("%v", err)
	}
	spec := parsed.(*cron.SpecSchedule) // every accepted form parses to one
	spec.Location = loc
	if spec.Next(reference).IsZero() {
		return nil, fail("%q never fires", expr)
	}
	return spec, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// epochOffset is (Unix epoch - zero Time) mod every: time.Truncate rounds
// to multiples since the zero Time, and Every fires are aligned to the
// epoch instead.
func epochOffset(every time.Duration) time.Duration {
	hi, lo := bits.Mul64(uint64(-time.Time{}.Unix()), uint64(time.Second))
	_, rem := bits.Div64(hi, lo, uint64(every)) // hi is 3, every ≥ 1s: no overflow
	return time.Duration(rem)
}

// starBit marks a robfig/cron field written as "*".
const starBit = 1 << 63

// cronNext is robfig/cron's next fire, without the second occurrence of a
// wall time a fall-back repeats when the hour field is not "*": a daily
// 02:30 job runs once on that day, not twice an hour apart.
func cronNext(c *cron.SpecSchedule, t time.Time) time.Time {
	n := c.Next(t.UTC())
	for !n.IsZero() && c.Hour&starBit == 0 && repeatedWallTime(n, c.Location) {
		n = c.Next(n)
	}
	return n.UTC()
}

// repeatedWallTime reports whether t's wall clock in loc already showed
// within the three hours before t: t is in the second pass of a fall-back.
func repeatedWallTime(t time.Time, loc *time.Location) bool {
	_, off := t.In(loc).Zone()
	_, before := t.Add(-3 * time.Hour).In(loc).Zone()
	if before <= off {
		return false // no fall-back just before t
	}
	earlier := t.Add(-time.Duration(before-off) * time.Second)
	return earlier.In(loc).Format(time.DateTime) == t.In(loc).Format(time.DateTime)
}

// cronMinGap is the smallest gap between consecutive fires starting in the
// year after reference, DST edges in the schedule's zone included.
func cronMinGap(s *cron.SpecSchedule) time.Duration {
	end := reference.AddDate(1, 0, 0)
	// No gap can be below floor, so the scan may stop on reaching it.
	floor := time.Minute
	if wholeHourShifts(s.Location, reference, end) {
		floor = minuteGap(s.Minute)
	}
	gap := time.Duration(math.MaxInt64)
	prev := cronNext(s, reference)
	for {
		next := cronNext(s, prev)
		if next.IsZero() {
			return gap
		}
		gap = min(gap, next.Sub(prev))
		if gap <= floor || !next.Before(end) {
			return gap
		}
		prev = next
	}
}

// minuteGap is the smallest distance, around the hour, between two minutes
// of the minute field. With zone offsets changing by whole hours only,
// consecutive fires are at least that far apart.
func minuteGap(minutes uint64) time.Duration {
	gap, first, prev := 60, -1, -1
	for m := range 60 {
		if minutes&(1<<m) == 0 {
			continue
		}
		if prev >= 0 {
			gap = min(gap, m-prev)
		} else {
			first = m
		}
		prev = m
	}
	if first != prev {
		gap = min(gap, first+60-prev)
	}
	return time.Duration(gap) * time.Minute
}

// wholeHourShifts reports whether every change of loc's UTC offset in
// [from, to) is a whole number of hours.
func wholeHourShifts(loc *time.Location, from, to time.Time) bool {
	for t := from; t.Before(to); {
		_, off := t.In(loc).Zone()
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() {
			return true
		}
		if _, next := end.In(loc).Zone(); (next-off)%3600 != 0 {
			return false
		}
		t = end
	}
	return true
}

// Spec returns the schedule's spec with its defaults filled.
func (s *Schedule) Spec() Spec { return s.spec }

// Next is the first fire strictly after t, in UTC, before jitter. Every
// fires at the multiples of Every since 1970-01-01T00:00:00Z, so a restart
// does not shift them. Cron fires follow robfig/cron in the schedule's
// zone: a wall time that a spring-forward skips does not fire that day. A
// wall time that a fall-back repeats fires once, at its first occurrence,
// unless the hour field is "*" (then each real hour fires), as classic
// cron does. Next returns the zero Time when a cron schedule has no fire
// in the five years after t.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.cron != nil {
		return cronNext(s.cron, t)
	}
	return s.floor(t).Add(s.spec.Every)
}

// floor is the latest Every fire at or before t.
func (s *Schedule) floor(t time.Time) time.Time {
	return t.UTC().Add(-s.offset).Truncate(s.spec.Every).Add(s.offset)
}

// Jitter is the delay added to the fire at fire: a value in [0, Jitter)
// from an FNV-1a hash of the name and the fire's Unix nanoseconds, so each
// fire of each schedule gets its own delay, the same on every replay.
func (s *Schedule) Jitter(fire time.Time) time.Duration {
	if s.spec.Jitter <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(s.spec.Name))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(fire.UnixNano())))
	return time.Duration(h.Sum64() % uint64(s.spec.Jitter))
}

// MinGap is the smallest interval between consecutive fires: Every, or for
// cron the smallest gap among the fires of the year after
// 2025-01-01T00:00:00Z in the schedule's zone, DST edges included: in
// Europe/Paris "0 0 * * *" gives 23h (the spring-forward day), and
// "30 2 * * *" 24h (it fires once on the fall-back day). Jitter is
// below it, so jittered fires keep their order.
func (s *Schedule) MinGap() time.Duration { return s.minGap }

// Missed is the fire catch-up runs after downtime: with catch-up last, the
// latest fire f with last < f <= now, if any. It is never ok with catch-up
// none, nor when last is the zero Time: a schedule that never fired does
// not catch up.
func (s *Schedule) Missed(last, now time.Time) (time.Time, bool) {
	if s.spec.CatchUp != CatchUpLast || last.IsZero() {
		return time.Time{}, false
	}
	return s.latest(last, now)
}

// latest is the latest fire f with lo < f <= hi.
func (s *Schedule) latest(lo, hi time.Time) (time.Time, bool) {
	if s.cron == nil {
		f := s.floor(hi)
		return f, f.After(lo)
	}
	// Cron has no Prev: scan windows ending at hi, doubling until one
	// holds a fire or reaches lo.
	for step := time.Minute; ; step *= 2 {
		from := hi.Add(-step)
		whole := step > math.MaxInt64/2 || !from.After(lo)
		if whole {
			from = lo
		}
		var f time.Time
		for g := s.Next(from); !g.IsZero() && !g.After(hi); g = s.Next(g) {
			f = g
		}
		if !f.IsZero() || whole {
			return f, !f.IsZero()
		}
	}
}

// descriptorFields are the five cron fields each descriptor stands for.
var descriptorFields = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

// CronExpressions are five-field cron expressions, in the schedule's zone,
// whose union fires when a cron schedule does, for a calendar system that
// matches every field (Temporal's): descriptors are spelled out, and a
// schedule restricting both the day of month and the day of week, which
// classic cron matches on either, becomes two expressions, one per day
// field. The wall time a fall-back repeats is not expressed: such a
// system fires it twice. It returns nil for an Every schedule.
func (s *Schedule) CronExpressions() []string {
	if s.cron == nil {
		return nil
	}
	expr := s.spec.Cron
	if f, ok := descriptorFields[expr]; ok {
		expr = f
	}
	fields := strings.Fields(expr)
	for i, f := range fields {
		if f == "?" {
			fields[i] = "*"
		}
	}
	if s.cron.Dom&starBit != 0 || s.cron.Dow&starBit != 0 {
		return []string{strings.Join(fields, " ")}
	}
	dom := slices.Clone(fields)
	dom[4] = "*"
	dow := slices.Clone(fields)
	dow[2] = "*"
	return []string{strings.Join(dom, " "), strings.Join(dow, " ")}
}
