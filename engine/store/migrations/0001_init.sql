-- 0001_init: runs with their task checkpoints and reports, intake events
-- with per-source high-water marks, schedule cursors, connection health.
--
-- Times are TEXT in one fixed-width UTC layout,
-- 2006-01-02T15:04:05.000000000Z, so text order is time order; NULL is
-- "no time". JSON documents are TEXT, stored byte for byte.

CREATE TABLE runs (
	id           TEXT PRIMARY KEY,
	playbook     TEXT NOT NULL,
	file         TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	triggered_by TEXT NOT NULL DEFAULT '',
	trigger_ref  TEXT NOT NULL DEFAULT '',
	started_at   TEXT NOT NULL,
	finished_at  TEXT,
	owner        TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	inputs       TEXT NOT NULL DEFAULT '{}',
	event        TEXT
);
-- Each index ends in (started_at, id), so a filtered list reads its first
-- page in order without sorting the matches.
CREATE INDEX runs_started ON runs (started_at, id);
CREATE INDEX runs_playbook ON runs (playbook, started_at, id);
CREATE INDEX runs_status ON runs (status, started_at, id);

-- Reports live beside the runs, so listing runs never reads them.
CREATE TABLE run_reports (
	run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
	report TEXT NOT NULL
);

-- One row per finished task of a run: the checkpoints a resume starts from.
CREATE TABLE run_tasks (
	run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	task_id  TEXT NOT NULL,
	saved_at TEXT NOT NULL,
	report   TEXT NOT NULL,
	PRIMARY KEY (run_id, task_id)
);

-- seq is the rowid: insertion order, never reused. (source, key) is the
-- natural key that deduplicates events.
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	source     TEXT NOT NULL,
	key        TEXT NOT NULL,
	unique_key TEXT NOT NULL DEFAULT '',
	fetched_at TEXT NOT NULL,
	state      TEXT NOT NULL,
	run_id     TEXT REFERENCES runs (id) ON DELETE SET NULL,
	fields     TEXT NOT NULL DEFAULT '{}',
	raw        TEXT,
	UNIQUE (source, key)
);
-- Index entries are ordered by rowid after their columns, so both give
-- seq order within a source.
CREATE INDEX events_source ON events (source);
CREATE INDEX events_pending ON events (source) WHERE state = 'pending';

CREATE TABLE marks (
	source TEXT PRIMARY KEY,
	mark   TEXT NOT NULL
);

CREATE TABLE schedules (
	name        TEXT PRIMARY KEY,
	last_fire   TEXT,
	last_run_id TEXT NOT NULL DEFAULT ''
);

CREATE TABLE health (
	connection TEXT PRIMARY KEY,
	ok         INTEGER NOT NULL,
	failures   INTEGER NOT NULL,
	last_check TEXT,
	last_ok    TEXT,
	last_error TEXT NOT NULL DEFAULT '',
	notified   INTEGER NOT NULL
);
