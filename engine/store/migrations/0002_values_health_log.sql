-- 0002_values_health_log: the values each run touched, to find runs by
-- an input or Key Field value; and a history of connection health checks.

-- run_value_sources is the one definition of a run's values, read by the
-- backfill below and by the store's writes (values.go), which select one
-- run's rows by run_id and source. A value is, under a name:
--   source 'input':  a top-level input of runs.inputs that is a scalar,
--                    or each scalar element of one that is a list;
--   source 'report': each scalar element of each Key Field list of each
--                    task of the run report, $.tasks.*.key_fields.*[*];
--   source 'task':   the same of a task checkpoint (run_tasks.report,
--                    $.key_fields.*[*]), so a running or interrupted run
--                    is found by the Key Fields of the tasks it finished.
-- Strings are stored as they are, numbers and booleans as their JSON text
-- (42, 2.50, true). Nulls, deeper objects and lists, empty names, empty
-- strings, values over 1024 bytes and documents that are not valid JSON
-- give no value. Text containers are reparsed at most once per level:
-- a Key Field list is read from its own text, not from the whole report.
CREATE VIEW run_value_sources (run_id, source, task_id, name, value) AS
SELECT run_id, source, task_id, name, value FROM (
	SELECT run_id, source, task_id, name,
		CASE type WHEN 'text' THEN atom ELSE doc -> path END AS value
	FROM (
		SELECT r.id AS run_id, 'input' AS source, '' AS task_id, i.key AS name,
			i.type AS type, i.atom AS atom, r.inputs AS doc, i.fullkey AS path
		FROM runs r, json_each(CASE WHEN json_valid(r.inputs) THEN r.inputs END) i
		UNION ALL
		SELECT r.id, 'input', '', i.key, e.type, e.atom, i.value, e.fullkey
		FROM runs r, json_each(CASE WHEN json_valid(r.inputs) THEN r.inputs END) i,
			json_each(CASE i.type WHEN 'array' THEN i.value END) e
		UNION ALL
		SELECT rr.run_id, 'report', '', f.key, e.type, e.atom, f.value, e.fullkey
		FROM run_reports rr, json_each(CASE WHEN json_valid(rr.report) THEN rr.report END, '$.tasks') t,
			json_each(CASE t.type WHEN 'object' THEN t.value END, '$.key_fields') f,
			json_each(CASE f.type WHEN 'array' THEN f.value END) e
		UNION ALL
		SELECT rt.run_id, 'task', rt.task_id, f.key, e.type, e.atom, f.value, e.fullkey
		FROM run_tasks rt, json_each(CASE WHEN json_valid(rt.report) THEN rt.report END, '$.key_fields') f,
			json_each(CASE f.type WHEN 'array' THEN f.value END) e
	)
	WHERE type IN ('text', 'integer', 'real', 'true', 'false') AND typeof(name) = 'text' AND name <> ''
)
WHERE value <> '' AND octet_length(value) <= 1024;

-- run_values holds each run's values, found by (name, value) in run
-- order by a lookup of each run. Rows are only added, by CreateRun,
-- SaveTask and FinishRun, and go with their run: a resumed run keeps what
-- it touched before.
CREATE TABLE run_values (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	name   TEXT NOT NULL,
	value  TEXT NOT NULL,
	PRIMARY KEY (name, value, run_id)
) WITHOUT ROWID;
-- For the cascade when a run is deleted.
CREATE INDEX run_values_run ON run_values (run_id);

INSERT OR IGNORE INTO run_values (run_id, name, value)
	SELECT run_id, name, value FROM run_value_sources;

-- One row per health check of a connection; SetHealth keeps each
-- connection's newest 1,000.
CREATE TABLE health_log (
	connection TEXT NOT NULL,
	checked_at TEXT NOT NULL,
	ok         INTEGER NOT NULL,
	error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX health_log_connection ON health_log (connection, checked_at);
