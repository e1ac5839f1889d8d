package temporal

import (
	"testing"
	"time"

	"github.com/playbook-sh/playbook/engine/schedule"
)

func TestSameFires(t *testing.T) {
	hourly, err := schedule.Parse(schedule.Spec{Name: "h", Cron: "0 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	jittered, err := schedule.Parse(schedule.Spec{Name: "j", Every: time.Hour, Jitter: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 3, 1, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name  string
		s     *schedule.Schedule
		times []time.Time
		ok    bool
	}{
		{"the fires", hourly, []time.Time{at(1, 0), at(2, 0), at(3, 0)}, true},
		{"none", hourly, nil, false},
		{"off the hour", hourly, []time.Time{at(1, 0), at(2, 30)}, false},
		{"one skipped", hourly, []time.Time{at(1, 0), at(3, 0)}, false},
		{"an extra one", hourly, []time.Time{at(1, 0), at(1, 30), at(2, 0)}, false},
		{"within the jitter", jittered, []time.Time{at(1, 9), at(2, 0), at(3, 5)}, true},
		{"past the jitter", jittered, []time.Time{at(1, 9), at(2, 11)}, false},
	} {
		err := SameFires(tc.s, tc.times)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
