package schedule

import (
	"errors"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without the host's zoneinfo

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, s Spec) *Schedule {
	t.Helper()
	sch, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%+v) = %v", s, err)
	}
	return sch
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
		want FieldError
	}{
		{"both", Spec{Cron: "* * * * *", Every: time.Minute}, FieldError{"every", "cron and every cannot both be set"}},
		{"neither", Spec{Cron: "  "}, FieldError{"cron", "one of cron or every is required"}},
		{"every below 1s", Spec{Every: 500 * time.Millisecond}, FieldError{"every", "must be at least 1s, got 500ms"}},
		{"every negative", Spec{Every: -time.Hour}, FieldError{"every", "must be at least 1s, got -1h0m0s"}},
		{"seconds field", Spec{Cron: "0 0 * * * *"},
			FieldError{"cron", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"}},
		{"four fields", Spec{Cron: "0 * * *"},
			FieldError{"cron", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"}},
		{"@every", Spec{Cron: "@every 5m"}, FieldError{"cron", "@every is not allowed in cron; use every instead"}},
		{"unknown descriptor", Spec{Cron: "@fortnightly"}, FieldError{"cron",
			`unknown descriptor "@fortnightly"; want one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`}},
		{"tz prefix", Spec{Cron: "CRON_TZ=Europe/Paris 0 * * * *"}, FieldError{"cron", "set the time zone with timezone, not in cron"}},
		{"minute range", Spec{Cron: "0-60 * * * *"}, FieldError{"cron", "minute: end of range (60) above maximum (59): 0-60"}},
		{"day-of-week 7", Spec{Cron: "0 9 * * 7"}, FieldError{"cron", "day-of-week: end of range (7) above maximum (6): 7"}},
		{"bad month", Spec{Cron: "0 9 1 foo *"}, FieldError{"cron",
			`month: failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax`}},
		{"never fires", Spec{Cron: "0 0 30 2 *"}, FieldError{"cron", `"0 0 30 2 *" never fires`}},
		{"unknown zone", Spec{Cron: "0 * * * *", Timezone: "Mars/Base"}, FieldError{"timezone", `unknown time zone "Mars/Base"`}},
		{"local zone", Spec{Cron: "0 * * * *", Timezone: "Local"}, FieldError{"timezone",
			`"Local" depends on the host; name an IANA zone such as "Europe/Paris"`}},
		{"zone with every", Spec{Every: time.Hour, Timezone: "Europe/Paris"}, FieldError{"timezone", "applies to cron only, not every"}},
		{"overlap", Spec{Every: time.Hour, Overlap: "sometimes"}, FieldError{"overlap", `unknown value "sometimes"; want skip, queue or allow`}},
		{"catch_up", Spec{Every: time.Hour, CatchUp: "all"}, FieldError{"catch_up", `unknown value "all"; want none or last`}},
		{"negative jitter", Spec{Every: time.Hour, Jitter: -time.Second}, FieldError{"jitter", "must not be negative, got -1s"}},
		{"jitter = every", Spec{Every: 15 * time.Minute, Jitter: 15 * time.Minute}, FieldError{"jitter",
			"15m0s must be less than the smallest gap between fires (15m0s)"}},
		{"jitter above cron gap", Spec{Cron: "*/5 * * * *", Jitter: time.Hour}, FieldError{"jitter",
			"1h0m0s must be less than the smallest gap between fires (5m0s)"}},
		{"jitter across DST", Spec{Cron: "0 0 * * *", Timezone: "Europe/Paris", Jitter: 23*time.Hour + time.Minute},
			FieldError{"jitter", "23h1m0s must be less than the smallest gap between fires (23h0m0s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tc.spec)
			fe, ok := errors.AsType[*FieldError](err)
			if !ok {
				t.Fatalf("Parse(%+v) = %v, want a *FieldError", tc.spec, err)
			}
			if diff := cmp.Diff(tc.want, *fe); diff != "" {
				t.Errorf("Parse(%+v) error (-want +got):\n%s", tc.spec, diff)
			}
			if got, want := err.Error(), tc.want.Field+": "+tc.want.Msg; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	for _, in := range []Spec{
		{Name: "a", Cron: " @hourly "},
		{Name: "a", Every: time.Hour},
	} {
		got := mustParse(t, in).Spec()
		want := in
		want.Cron = "@hourly"
		if in.Every != 0 {
			want.Cron = ""
		}
		want.Timezone, want.Overlap, want.CatchUp = "UTC", OverlapSkip, CatchUpNone
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Parse(%+v).Spec() (-want +got):\n%s", in, diff)
		}
		// A filled spec parses to itself.
		if again := mustParse(t, got).Spec(); again != got {
			t.Errorf("Parse(%+v).Spec() = %+v, want it unchanged", got, again)
		}
	}
	kept := Spec{Name: "b", Cron: "0 9 * * 1-5", Timezone: "Europe/Paris", Overlap: OverlapQueue, CatchUp: CatchUpLast, Jitter: time.Minute}
	if got := mustParse(t, kept).Spec(); got != kept {
		t.Errorf("Parse(%+v).Spec() = %+v, want it unchanged", kept, got)
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
		from string
		want []string // consecutive fires
	}{
		{"cron utc", Spec{Cron: "30 2 * * *"}, "2025-03-29T02:30:00Z",
			[]string{"2025-03-30T02:30:00Z", "2025-03-31T02:30:00Z"}},
		// 02:30 does not exist on 2025-03-30 in Paris (02:00 CET → 03:00
		// CEST): robfig/cron skips that day.
		{"paris spring forward", Spec{Cron: "30 2 * * *", Timezone: "Europe/Paris"}, "2025-03-28T12:00:00Z",
			[]string{"2025-03-29T01:30:00Z", "2025-03-31T00:30:00Z", "2025-04-01T00:30:00Z"}},
		// 02:30 happens twice on 2025-10-26 in Paris (03:00 CEST → 02:00
		// CET): robfig/cron would fire at both; a fixed hour fires once,
		// at the first, as classic cron does.
		{"paris fall back", Spec{Cron: "30 2 * * *", Timezone: "Europe/Paris"}, "2025-10-25T12:00:00Z",
			[]string{"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z", "2025-10-28T01:30:00Z"}},
		// With the hour "*", each real hour fires, the repeated one too.
		{"paris fall back every hour", Spec{Cron: "30 * * * *", Timezone: "Europe/Paris"}, "2025-10-25T23:45:00Z",
			[]string{"2025-10-26T00:30:00Z", "2025-10-26T01:30:00Z", "2025-10-26T02:30:00Z"}},
		{"paris fall back two fixed hours", Spec{Cron: "0 2,3 * * *", Timezone: "Europe/Paris"}, "2025-10-25T12:00:00Z",
			[]string{"2025-10-26T00:00:00Z", "2025-10-26T02:00:00Z", "2025-10-27T01:00:00Z"}},
		{"paris midnight", Spec{Cron: "@daily", Timezone: "Europe/Paris"}, "2025-03-29T12:00:00Z",
			[]string{"2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z"}},
		{"strictly after", Spec{Cron: "0 * * * *"}, "2025-01-01T10:00:00Z",
			[]string{"2025-01-01T11:00:00Z"}},
		{"every 15m", Spec{Every: 15 * time.Minute}, "2025-06-01T10:07:31Z",
			[]string{"2025-06-01T10:15:00Z", "2025-06-01T10:30:00Z"}},
		{"every 15m strictly after", Spec{Every: 15 * time.Minute}, "2025-06-01T10:15:00Z",
			[]string{"2025-06-01T10:30:00Z"}},
		// 7s does not divide the seconds between year 1 and 1970.
		{"every 7s from the epoch", Spec{Every: 7 * time.Second}, "1970-01-01T00:01:40Z",
			[]string{"1970-01-01T00:01:45Z", "1970-01-01T00:01:52Z"}},
		{"every 7s before the epoch", Spec{Every: 7 * time.Second}, "1969-12-31T23:59:50Z",
			[]string{"1969-12-31T23:59:53Z", "1970-01-01T00:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.spec)
			var got []string
			for f := utc(tc.from); len(got) < len(tc.want); {
				f = s.Next(f)
				got = append(got, f.Format(time.RFC3339))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Next from %s (-want +got):\n%s", tc.from, diff)
			}
		})
	}
	// Input in another zone, output in UTC.
	s := mustParse(t, Spec{Every: time.Hour})
	paris, _ := time.LoadLocation("Europe/Paris")
	if got := s.Next(time.Date(2025, 6, 1, 12, 10, 0, 0, paris)); got != utc("2025-06-01T11:00:00Z") {
		t.Errorf("Next(12:10 CEST) = %v, want 2025-06-01T11:00:00Z", got)
	}
}

func TestEveryAlignedToEpoch(t *testing.T) {
	t.Parallel()
	for _, every := range []time.Duration{time.Second, 1500 * time.Millisecond, 7 * time.Second, 15 * time.Minute, 7 * time.Hour, 240 * time.Hour} {
		s := mustParse(t, Spec{Every: every})
		from := utc("2025-03-30T01:23:45Z").Add(123456789)
		got := s.Next(from)
		if got.UnixNano()%int64(every) != 0 || !got.After(from) || got.Sub(from) > every {
			t.Errorf("every %v: Next(%v) = %v, want the next multiple of %v since the epoch", every, from, got, every)
		}
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	const bound = 30 * time.Second
	s := mustParse(t, Spec{Name: "hunt", Every: time.Minute, Jitter: bound})
	other := mustParse(t, Spec{Name: "other", Every: time.Minute, Jitter: bound})
	seen := map[time.Duration]bool{}
	sameAsOther := 0
	for f := utc("2025-01-01T00:00:00Z"); len(seen) < 50 && f.Before(utc("2025-01-02T00:00:00Z")); f = s.Next(f) {
		j := s.Jitter(f)
		if j < 0 || j >= bound {
			t.Fatalf("Jitter(%v) = %v, want in [0, %v)", f, j, bound)
		}
		if again := s.Jitter(f); again != j {
			t.Fatalf("Jitter(%v) = %v then %v, want the same", f, j, again)
		}
		if other.Jitter(f) == j {
			sameAsOther++
		}
		seen[j] = true
	}
	if len(seen) < 45 {
		t.Errorf("50 fires got %d distinct jitters, want them spread", len(seen))
	}
	if sameAsOther > 2 {
		t.Errorf("%d of 50 fires have the same jitter under another name", sameAsOther)
	}
	if got := mustParse(t, Spec{Name: "hunt", Every: time.Minute}).Jitter(utc("2025-01-01T00:00:00Z")); got != 0 {
		t.Errorf("Jitter without jitter = %v, want 0", got)
	}
}

func TestMinGap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec Spec
		want time.Duration
	}{
		{Spec{Cron: "*/5 * * * *"}, 5 * time.Minute},
		{Spec{Cron: "0 9 * * 1-5"}, 24 * time.Hour},
		{Spec{Cron: "0 */6 * * *"}, 6 * time.Hour},
		{Spec{Cron: "@daily"}, 24 * time.Hour},
		{Spec{Cron: "@hourly"}, time.Hour},
		{Spec{Cron: "@monthly"}, 28 * 24 * time.Hour},
		{Spec{Cron: "@yearly"}, 365 * 24 * time.Hour},
		{Spec{Cron: "0 0 29 2 *"}, (3*365 + 366) * 24 * time.Hour},
		{Spec{Cron: "0,59 3 * * *"}, 59 * time.Minute},
		{Spec{Cron: "0 0 * * *", Timezone: "Europe/Paris"}, 23 * time.Hour},   // 2025-03-30
		{Spec{Cron: "0 9 * * 1-5", Timezone: "Europe/Paris"}, 24 * time.Hour}, // DST changes on Sundays
		// The repeated 02:30 of 2025-10-26 fires twice.
		{Spec{Cron: "30 2 * * *", Timezone: "Europe/Paris"}, 24 * time.Hour},
		{Spec{Cron: "*/20 * * * *", Timezone: "Australia/Lord_Howe"}, 20 * time.Minute}, // half-hour DST
		{Spec{Every: 15 * time.Minute}, 15 * time.Minute},
	}
	for _, tc := range tests {
		if got := mustParse(t, tc.spec).MinGap(); got != tc.want {
			t.Errorf("MinGap(%q %v %s) = %v, want %v", tc.spec.Cron, tc.spec.Every, tc.spec.Timezone, got, tc.want)
		}
	}
}

func TestMissed(t *testing.T) {
	t.Parallel()
	now := utc("2025-01-01T09:30:00Z")
	tests := []struct {
		name string
		spec Spec
		last time.Time
		want string // "" for none
	}{
		{"none", Spec{Every: time.Hour}, utc("2025-01-01T05:00:00Z"), ""},
		{"last every", Spec{Every: time.Hour, CatchUp: CatchUpLast}, utc("2025-01-01T05:00:00Z"), "2025-01-01T09:00:00Z"},
		{"last cron", Spec{Cron: "15 * * * *", CatchUp: CatchUpLast}, utc("2025-01-01T05:15:00Z"), "2025-01-01T09:15:00Z"},
		{"last cron long ago", Spec{Cron: "0 0 1 1 *", CatchUp: CatchUpLast}, utc("2020-01-01T00:00:00Z"), "2025-01-01T00:00:00Z"},
		{"fire at now", Spec{Every: 30 * time.Minute, CatchUp: CatchUpLast}, utc("2025-01-01T08:00:00Z"), "2025-01-01T09:30:00Z"},
		{"nothing missed", Spec{Every: time.Hour, CatchUp: CatchUpLast}, utc("2025-01-01T09:00:00Z"), ""},
		{"cron nothing missed", Spec{Cron: "0 9 * * *", CatchUp: CatchUpLast}, utc("2025-01-01T09:00:00Z"), ""},
		{"never fired", Spec{Every: time.Hour, CatchUp: CatchUpLast}, time.Time{}, ""},
	}
	for _, tc := range tests {
		got, ok := mustParse(t, tc.spec).Missed(tc.last, now)
		if tc.want == "" {
			if ok {
				t.Errorf("%s: Missed(%v, %v) = %v, want none", tc.name, tc.last, now, got)
			}
			continue
		}
		if !ok || got != utc(tc.want) {
			t.Errorf("%s: Missed(%v, %v) = %v, %v, want %s", tc.name, tc.last, now, got, ok, tc.want)
		}
	}
}

func TestCronExpressions(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want []string
	}{
		{Spec{Name: "a", Cron: "*/5 * * * *"}, []string{"*/5 * * * *"}},
		{Spec{Name: "b", Cron: "@weekly"}, []string{"0 0 * * 0"}},
		{Spec{Name: "c", Cron: "@midnight"}, []string{"0 0 * * *"}},
		{Spec{Name: "d", Cron: "0 9 * * MON-FRI", Timezone: "Europe/Paris"}, []string{"0 9 * * MON-FRI"}},
		// Both day fields restricted: classic cron fires on either.
		{Spec{Name: "e", Cron: "30 6 1,15 * MON"}, []string{"30 6 1,15 * *", "30 6 * * MON"}},
		{Spec{Name: "f", Cron: "0 0 */2 * 1-5"}, []string{"0 0 */2 * *", "0 0 * * 1-5"}},
		// A "*/1" day field is still "*": one expression.
		{Spec{Name: "g", Cron: "0 0 */1 * MON"}, []string{"0 0 */1 * MON"}},
		{Spec{Name: "h", Cron: "0 0 ? * MON"}, []string{"0 0 * * MON"}},
		{Spec{Name: "i", Every: time.Hour}, nil},
	} {
		s, err := Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.CronExpressions(); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: %q, want %q", tc.spec.Name, tc.spec.Cron, got, tc.want)
		}
	}
}
