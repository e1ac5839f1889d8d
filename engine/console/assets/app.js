// playbook web console: hash router, API client, live stream, pages.
//
// Routes: #/runs (default), #/runs/{id}, #/playbooks, #/events,
// #/connections, #/login. Any 401 from the API leads to #/login, which
// comes back to the route the user wanted.
//
// All API data is untrusted (alert titles, task data): the DOM is built
// with h() and textContent only, never innerHTML.

import {
  h, clear, fill, timeEl, fmtTime, fmtDuration, runDuration, parseTime, truncate,
  badge, statusLabel, debounce,
} from './dom.js';
import { renderGraph, forEachCount } from './graph.js';
import { jsonTree } from './json.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');

const state = {
  session: null, // {user, role, csrf}
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    if (state.session && state.session.csrf) headers['X-CSRF-Token'] = state.session.csrf;
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `Cannot reach the server (${e.message})`);
  }
  if (res.status === 401 && path !== '/api/login') {
    signedOut();
    throw new ApiError(401, 'Not signed in');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const msg = (data && typeof data.error === 'string' && data.error) || `${res.status} ${res.statusText}`.trim();
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => { if (x !== '' && x != null) u.append(k, x); });
    else if (v !== '' && v !== undefined && v !== null) u.set(k, v);
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

const runLink = (id) => `#/runs/${encodeURIComponent(id)}`;

function shortId(id) {
  id = String(id || '');
  return id.length > 14 ? id.slice(0, 12) + '…' : id;
}

// ---------------------------------------------------------------- live stream

const stream = { es: null, subs: new Set(), live: false, retry: null };

function setLive(live) {
  stream.live = live;
  const el = document.querySelector('[data-testid="live"]');
  if (el) {
    el.className = `live ${live ? 'on' : 'off'}`;
    el.textContent = live ? '● live' : '○ offline';
    el.title = live ? 'Receiving live updates' : 'Live updates disconnected; pages refresh on reload';
  }
}

function startStream() {
  if (stream.es || !state.session || typeof EventSource === 'undefined') return;
  clearTimeout(stream.retry);
  const es = new EventSource('/api/stream');
  stream.es = es;
  es.onopen = () => setLive(true);
  const on = (type) => (ev) => {
    let d;
    try { d = JSON.parse(ev.data); } catch { return; }
    for (const fn of stream.subs) {
      try { fn(type, d); } catch (e) { console.error(e); }
    }
  };
  es.addEventListener('run', on('run'));
  es.addEventListener('task', on('task'));
  es.onerror = () => {
    setLive(false);
    if (es.readyState === EventSource.CLOSED) {
      // The server refused the stream (e.g. the session ended): check the
      // session, which leads to the login page on 401, and retry later.
      stream.es = null;
      stream.retry = setTimeout(async () => {
        if (!state.session) return;
        try { await api('GET', '/api/session'); startStream(); } catch { /* handled */ }
      }, 5000);
    }
  };
}

function stopStream() {
  clearTimeout(stream.retry);
  if (stream.es) stream.es.close();
  stream.es = null;
  setLive(false);
}

function subscribe(fn) {
  stream.subs.add(fn);
  return () => stream.subs.delete(fn);
}

// ---------------------------------------------------------------- session & nav

function signedOut() {
  state.session = null;
  stopStream();
  renderNav();
  toLogin();
}

function currentRoute() {
  return location.hash.replace(/^#/, '') || '/runs';
}

function toLogin() {
  const cur = currentRoute();
  if (cur.startsWith('/login')) return;
  location.hash = `#/login${qs({ next: cur })}`;
}

const NAV = [
  ['runs', 'Runs'],
  ['playbooks', 'Playbooks'],
  ['events', 'Events'],
  ['connections', 'Connections'],
];

function renderNav() {
  clear(nav);
  const section = currentRoute().split(/[/?]/)[1] || 'runs';
  const brand = h('a', { class: 'brand', href: '#/runs' },
    h('img', { src: '/favicon.svg', alt: '', width: 20, height: 20 }), 'playbook');
  nav.appendChild(brand);
  if (!state.session) return;
  const links = h('ul', { class: 'nav-links' },
    NAV.map(([key, label]) => h('li', {},
      h('a', {
        href: `#/${key}`, 'data-testid': `nav-${key}`,
        'aria-current': section === key ? 'page' : null,
      }, label))));
  nav.appendChild(links);
  nav.appendChild(h('span', { class: 'spacer' }));
  nav.appendChild(h('span', { 'data-testid': 'live', class: `live ${stream.live ? 'on' : 'off'}` }, stream.live ? '● live' : '○ offline'));
  nav.appendChild(h('span', { class: 'user', 'data-testid': 'user' },
    h('span', { class: 'user-name' }, state.session.user),
    h('span', { class: `role role-${state.session.role}`, 'data-testid': 'user-role' }, state.session.role)));
  nav.appendChild(h('button', {
    type: 'button', class: 'btn small', 'data-testid': 'logout',
    onClick: async () => {
      try { await api('POST', '/api/logout'); } catch (e) { if (e.status !== 401) console.warn(e); }
      state.session = null;
      stopStream();
      renderNav();
      location.hash = '#/login';
    },
  }, 'Log out'));
}

function updateNavActive() {
  const section = currentRoute().split(/[/?]/)[1] || 'runs';
  for (const a of nav.querySelectorAll('.nav-links a')) {
    if (a.getAttribute('href') === `#/${section}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- router

let page = null; // {gen, cleanups}
let gen = 0;

function parseHash() {
  const raw = currentRoute();
  const i = raw.indexOf('?');
  const path = i < 0 ? raw : raw.slice(0, i);
  const query = new URLSearchParams(i < 0 ? '' : raw.slice(i + 1));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  return { raw, path, parts, query };
}

function newPage() {
  if (page) for (const fn of page.cleanups) { try { fn(); } catch (e) { console.error(e); } }
  const my = ++gen;
  page = {
    gen: my,
    cleanups: [],
    alive: () => gen === my,
    onCleanup(fn) { this.cleanups.push(fn); },
  };
  return page;
}

async function route() {
  const r = parseHash();
  const ctx = newPage();
  clear(app);
  if (r.parts[0] === 'login') return pageLogin(ctx, r);
  if (!state.session) {
    app.appendChild(h('p', { class: 'muted loading' }, 'Loading…'));
    try {
      state.session = await api('GET', '/api/session');
    } catch (e) {
      if (e.status !== 401 && ctx.alive()) showError(clear(app), e);
      return;
    }
    if (!ctx.alive()) return;
    renderNav();
    startStream();
    clear(app);
  }
  updateNavActive();
  try {
    switch (r.parts[0] || 'runs') {
      case 'runs':
        if (r.parts[1]) return await pageRun(ctx, r, r.parts[1]);
        return await pageRuns(ctx, r);
      case 'playbooks': return await pagePlaybooks(ctx, r);
      case 'events': return await pageEvents(ctx, r);
      case 'connections': return await pageConnections(ctx, r);
      default:
        document.title = 'Not found · playbook';
        app.appendChild(h('section', { class: 'page' },
          h('h1', {}, 'Not found'),
          h('p', {}, 'No page at ', h('code', {}, '#' + r.path), '. ', h('a', { href: '#/runs' }, 'Go to runs'), '.')));
    }
  } catch (e) {
    if (e.status === 401 || !ctx.alive()) return;
    console.error(e);
    clear(app);
    showError(app, e);
    app.appendChild(h('p', {}, h('a', { href: '#/runs' }, '← Runs')));
  }
}

function showError(where, e) {
  const msg = e instanceof ApiError ? e.message : String(e && e.message || e);
  where.appendChild(h('div', { class: 'alert error', role: 'alert', 'data-testid': 'error' },
    e && e.status === 403 ? 'Not allowed: ' : '', msg));
}

// go navigates to a hash, re-rendering even when it is the current one.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ---------------------------------------------------------------- shared bits

// A task's timeline row draws at most ATTEMPT_SEGMENTS calls and its panel
// lists at most ATTEMPT_ROWS: a for_each over thousands of items keeps the
// page responsive, and the counts say what was left out.
const ATTEMPT_SEGMENTS = 200;
const ATTEMPT_ROWS = 100;

function rdClass(rd) {
  switch (rd) {
    case 'Successful': return 'ok';
    case 'Failed': return 'fail';
    case 'Partially Successful': return 'partial';
    default: return 'none';
  }
}

function attemptTitle(a, started, finished) {
  const parts = [a.item === undefined ? `call ${a.attempt}` : `item ${a.item}, call ${a.attempt}`];
  parts.push(a.return_data || 'no Return Data');
  if (started && finished) parts.push(fmtDuration(finished.getTime() - started.getTime()));
  if (a.error) parts.push(`${a.status_code ? a.status_code + ' ' : ''}${a.error}`);
  return parts.join(' · ');
}

function table(attrs, headers, rows) {
  return h('table', { class: 'table', ...attrs },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows));
}

function emptyRow(cols, text) {
  return h('tr', { class: 'empty-row' }, h('td', { colspan: cols, class: 'muted' }, text));
}

function valueText(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function kvTable(obj, testid) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('p', { class: 'muted', 'data-testid': testid }, 'None.');
  return h('table', { class: 'table kv', 'data-testid': testid },
    h('tbody', {}, entries.map(([k, v]) => h('tr', {},
      h('th', { scope: 'row' }, k),
      h('td', {}, Array.isArray(v)
        ? (v.length ? v.map((x) => h('span', { class: 'chip' }, valueText(x))) : h('span', { class: 'muted' }, '[]'))
        : valueText(v))))));
}

function field(label, ...content) {
  return [h('dt', {}, label), h('dd', {}, ...content)];
}

// Pagination over opaque cursors: a stack of cursors for Previous.
function pager(testPrefix, onPage) {
  const stack = [''];
  const prev = h('button', { type: 'button', class: 'btn', 'data-testid': `${testPrefix}prev-page` }, '← Previous page');
  const next = h('button', { type: 'button', class: 'btn', 'data-testid': `${testPrefix}next-page` }, 'Next page →');
  const info = h('span', { class: 'muted' });
  let nextCursor = null;
  prev.addEventListener('click', () => { if (stack.length > 1) { stack.pop(); onPage(stack[stack.length - 1]); } });
  next.addEventListener('click', () => { if (nextCursor) { stack.push(nextCursor); onPage(nextCursor); } });
  const el = h('div', { class: 'pager' }, prev, info, next);
  const update = (cursor, count) => {
    nextCursor = cursor || null;
    next.disabled = !nextCursor;
    next.hidden = !nextCursor;
    prev.disabled = stack.length <= 1;
    prev.hidden = stack.length <= 1;
    info.textContent = `Page ${stack.length}${count !== undefined ? ` · ${count} shown` : ''}`;
  };
  return { el, update, first: () => stack.length === 1, cursor: () => stack[stack.length - 1] };
}

// ---------------------------------------------------------------- Runs

const RUN_STATUSES = ['running', 'Successful', 'Failed', 'Partially Successful', 'Cancelled', 'Interrupted'];

// parseKeys turns "EndpointIDs=e-17; incident_id:INC-9" into NAME:VALUE
// strings (split at the first = or :).
function parseKeys(text) {
  const out = [];
  const bad = [];
  for (const part of text.split(';')) {
    const t = part.trim();
    if (!t) continue;
    const m = t.search(/[=:]/);
    if (m <= 0) { bad.push(t); continue; }
    out.push(`${t.slice(0, m).trim()}:${t.slice(m + 1).trim()}`);
  }
  return { keys: out, bad };
}

function sinceTime(since) {
  if (!since) return null;
  const d = parseTime(since);
  if (d) return d.getTime();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(since.trim());
  if (!m) return null;
  const mult = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 }[m[2]];
  return Date.now() - Number(m[1]) * mult;
}

function runMatches(run, f) {
  if (f.keys.length) return false; // key matches are known to the server only
  if (f.status && run.status !== f.status) return false;
  if (f.playbook) {
    const p = f.playbook.toLowerCase();
    if (!String(run.playbook || '').toLowerCase().includes(p) && !String(run.file || '').toLowerCase().includes(p)) return false;
  }
  if (f.trigger && !String(run.trigger || '').toLowerCase().includes(f.trigger.toLowerCase())) return false;
  if (f.since) {
    const t = sinceTime(f.since), st = parseTime(run.started_at);
    if (t !== null && st && st.getTime() < t) return false;
  }
  return true;
}

function runRow(run) {
  const running = run.status === 'running';
  const tr = h('tr', { 'data-testid': 'run-row', 'data-run-id': run.run_id, class: running ? 'is-running' : null },
    h('td', { class: 'mono' }, h('a', { href: runLink(run.run_id), title: run.run_id }, shortId(run.run_id))),
    h('td', {}, h('span', { title: run.file || '' }, run.playbook || '')),
    h('td', {}, run.trigger || '', run.trigger_ref ? h('span', { class: 'muted small' }, ` · ${truncate(run.trigger_ref, 40)}`) : null),
    h('td', {}, badge(run.status, { 'data-testid': 'run-status' })),
    h('td', { class: 'nowrap' }, timeEl(run.started_at)),
    h('td', { class: 'nowrap num dur' }, fmtDuration(runDuration(run))),
    h('td', { class: 'err-cell', title: run.error || '' }, truncate(run.error || '', 90)));
  tr._run = run;
  return tr;
}

async function pageRuns(ctx, r) {
  document.title = 'Runs · playbook';
  const q = r.query;
  const f = {
    status: q.get('status') || '',
    playbook: q.get('playbook') || '',
    trigger: q.get('trigger') || '',
    since: q.get('since') || '',
    keys: q.getAll('key'),
  };
  const statusSel = h('select', { id: 'f-status', 'data-testid': 'filter-status' },
    h('option', { value: '' }, 'Any status'),
    RUN_STATUSES.map((st) => h('option', { value: st, selected: st === f.status }, st === 'running' ? 'Running' : st)));
  const pbIn = h('input', { id: 'f-playbook', type: 'text', 'data-testid': 'filter-playbook', value: f.playbook, placeholder: 'name', autocomplete: 'off' });
  const trIn = h('input', { id: 'f-trigger', type: 'text', 'data-testid': 'filter-trigger', value: f.trigger, placeholder: 'e.g. webhook', autocomplete: 'off' });
  const sinceIn = h('input', { id: 'f-since', type: 'text', 'data-testid': 'filter-since', value: f.since, placeholder: '24h or RFC 3339', autocomplete: 'off' });
  const keyIn = h('input', { id: 'f-key', type: 'text', 'data-testid': 'filter-key', value: f.keys.join('; '), placeholder: 'EndpointIDs=e-17', autocomplete: 'off', class: 'wide' });
  const formErr = h('span', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'filters', 'aria-label': 'Filter runs' },
    h('label', { for: 'f-status' }, 'Status', statusSel),
    h('label', { for: 'f-playbook' }, 'Playbook', pbIn),
    h('label', { for: 'f-trigger' }, 'Trigger', trIn),
    h('label', { for: 'f-since' }, 'Since', sinceIn),
    h('label', { for: 'f-key', title: 'A Key Field or input value, exactly: NAME=VALUE (several separated by ;)' }, 'Key Field or input', keyIn),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'filter-apply' }, 'Apply'),
      h('a', { href: '#/runs', class: 'btn link', 'data-testid': 'filter-clear' }, 'Clear')),
    formErr);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const { keys, bad } = parseKeys(keyIn.value);
    if (bad.length) {
      formErr.textContent = `Write the key as NAME=VALUE (got "${bad[0]}")`;
      keyIn.focus();
      return;
    }
    formErr.textContent = '';
    go(`#/runs${qs({ status: statusSel.value, playbook: pbIn.value.trim(), trigger: trIn.value.trim(), since: sinceIn.value.trim(), key: keys })}`);
  });

  const tbody = h('tbody', {});
  const tbl = h('table', { class: 'table runs', 'data-testid': 'runs-table' },
    h('thead', {}, h('tr', {}, ['Run', 'Playbook', 'Trigger', 'Status', 'Started', 'Duration', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody);
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const pg = pager('', (cursor) => load(cursor));
  app.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs')),
    form, status, h('div', { class: 'table-wrap' }, tbl), pg.el));

  const rows = new Map(); // run_id -> tr

  async function load(cursor) {
    status.textContent = 'Loading…';
    let data;
    try {
      data = await api('GET', `/api/runs${qs({ status: f.status, playbook: f.playbook, trigger: f.trigger, since: f.since, key: f.keys, limit: 50, cursor })}`);
    } catch (e) {
      if (!ctx.alive()) return;
      status.textContent = '';
      if (e.status !== 401) showError(clear(status), e);
      return;
    }
    if (!ctx.alive()) return;
    status.textContent = '';
    clear(tbody);
    rows.clear();
    const runs = (data && data.runs) || [];
    for (const run of runs) {
      const tr = runRow(run);
      rows.set(run.run_id, tr);
      tbody.appendChild(tr);
    }
    if (!runs.length) tbody.appendChild(emptyRow(7, f.status || f.playbook || f.trigger || f.since || f.keys.length ? 'No runs match these filters.' : 'No runs yet.'));
    pg.update(data && data.next_cursor, runs.length);
  }

  // Live: update rows in place, prepend new matching runs on page one.
  const pending = new Map();
  const flush = debounce(() => {
    for (const run of pending.values()) {
      const old = rows.get(run.run_id);
      if (old) {
        const tr = runRow({ ...old._run, ...run });
        old.replaceWith(tr);
        rows.set(run.run_id, tr);
      } else if (pg.first() && runMatches(run, f)) {
        const tr = runRow(run);
        tr.classList.add('flash');
        const empty = tbody.querySelector('.empty-row');
        if (empty) empty.remove();
        tbody.insertBefore(tr, tbody.firstChild);
        rows.set(run.run_id, tr);
      }
    }
    pending.clear();
  }, 250);
  ctx.onCleanup(subscribe((type, d) => {
    if (type !== 'run' || !d || !d.run_id) return;
    pending.set(d.run_id, { ...(pending.get(d.run_id) || {}), ...d });
    flush();
  }));
  ctx.onCleanup(() => flush.cancel());
  // Running rows count their duration up.
  const tick = setInterval(() => {
    for (const tr of rows.values()) {
      if (tr._run && tr._run.status === 'running') {
        const c = tr.querySelector('.dur');
        if (c) c.textContent = fmtDuration(runDuration(tr._run));
      }
    }
  }, 1000);
  ctx.onCleanup(() => clearInterval(tick));

  await load('');
}

// ---------------------------------------------------------------- Run

async function pageRun(ctx, r, id) {
  document.title = `Run ${shortId(id)} · playbook`;
  let selected = r.query.get('task') || null;
  let data = null;
  let graphHandle = null;
  let panelKey = null; // what the panel shows, to redraw it only on change
  let ioKey = null;

  const head = h('div', { class: 'run-head' });
  const graphBox = h('div', { class: 'graph-box' });
  const graphNote = h('div', {});
  const panel = h('aside', { class: 'task-panel', 'data-testid': 'task-panel', 'aria-label': 'Task details', tabindex: '-1' });
  panel.hidden = true;
  const timelineBox = h('div', {});
  const ioBox = h('div', { class: 'io' });
  const sideBox = h('div', {});
  const body = h('div', { class: 'run-body' },
    h('div', { class: 'run-main' },
      h('section', { class: 'card', 'aria-label': 'Task graph' }, graphNote, graphBox),
      h('section', { class: 'card', 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, 'Timeline'), timelineBox),
      ioBox, sideBox),
    panel);
  app.appendChild(h('section', { class: 'page run-page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, 'Runs'), ' / ', h('span', { class: 'mono' }, id)),
    head, body));

  const setHashTask = () => {
    const hash = `${runLink(id)}${selected ? qs({ task: selected }) : ''}`;
    history.replaceState(null, '', hash);
  };

  function selectTask(task) {
    selected = task;
    setHashTask();
    panelKey = null;
    drawPanel();
    panel.focus({ preventScroll: true });
  }

  function closePanel() {
    const was = selected;
    selected = null;
    setHashTask();
    if (graphHandle) graphHandle.select(null);
    panelKey = null;
    drawPanel();
    if (was && graphHandle) graphHandle.focus(was);
  }

  const onKey = (ev) => {
    if (ev.key === 'Escape' && selected && !ev.defaultPrevented) closePanel();
  };
  document.addEventListener('keydown', onKey);
  ctx.onCleanup(() => document.removeEventListener('keydown', onKey));

  function graphNodes() {
    const g = data.graph || {};
    if (Array.isArray(g.nodes) && g.nodes.length) return g;
    // No graph (the playbook file could not be loaded): the report's tasks,
    // without edges.
    const tasks = (data.report && data.report.tasks) || {};
    const ids = [...new Set([...((data.report && data.report.order) || []), ...Object.keys(tasks)])].filter((t) => !t.includes('/'));
    return { nodes: ids.map((t) => ({ id: t, run: '', needs: [] })) };
  }

  function drawHead() {
    const run = data.run || {};
    const rep = data.report || {};
    const st = run.status || rep.status;
    const error = run.error || rep.error;
    const canRerun = data.can_rerun === true && state.session && state.session.role === 'runner';
    const rerunMsg = h('span', { class: 'form-error', role: 'alert' });
    const rerunBtn = canRerun ? h('button', {
      type: 'button', class: 'btn primary', 'data-testid': 'rerun',
      onClick: async () => {
        rerunBtn.disabled = true;
        rerunMsg.textContent = '';
        try {
          const res = await api('POST', `/api/runs/${encodeURIComponent(id)}/rerun`, {});
          if (res && res.run_id) location.hash = runLink(res.run_id);
        } catch (e) {
          rerunBtn.disabled = false;
          if (e.status !== 401) rerunMsg.textContent = e.status === 403 ? 'Not allowed: your role cannot start runs.' : e.message;
        }
      },
    }, '↻ Run again with these inputs') : null;
    fill(head,
      h('div', { class: 'page-head' },
        h('h1', {}, run.playbook || rep.playbook || 'Run', ' ', badge(st, { 'data-testid': 'run-status' }),
          rep.dry_run ? h('span', { class: 'badge st-dry_run' }, 'dry run') : null),
        h('div', { class: 'actions' }, rerunBtn, rerunMsg)),
      h('dl', { class: 'meta' },
        field('Run', h('span', { class: 'mono', 'data-testid': 'run-id' }, run.run_id || id)),
        field('Trigger', run.trigger || '—', run.trigger_ref ? h('span', { class: 'muted' }, ` · ${run.trigger_ref}`) : null),
        field('Started', timeEl(run.started_at || rep.started_at)),
        field('Finished', timeEl(run.finished_at || rep.finished_at)),
        field('Duration', h('span', { class: 'run-dur' }, fmtDuration(runDuration({ ...rep, ...run, status: st })))),
        field('File', h('span', { class: 'mono' }, run.file || rep.file || '—'))),
      error ? h('div', { class: 'alert error', role: 'alert', 'data-testid': 'run-error' }, error) : null);
  }

  function drawGraph() {
    clear(graphNote);
    if (data.graph && data.graph.error) {
      graphNote.appendChild(h('div', { class: 'alert warn', 'data-testid': 'graph-error' }, 'The playbook could not be loaded, so the graph shows the report\'s tasks only: ', data.graph.error));
    }
    const tasks = (data.report && data.report.tasks) || {};
    graphHandle = renderGraph(graphBox, graphNodes(), tasks, {
      testid: 'run-graph',
      selected,
      onSelect: selectTask,
    });
  }

  function drawPanel() {
    if (!selected) {
      panel.hidden = true;
      body.classList.remove('with-panel');
      clear(panel);
      return;
    }
    const task = data.report && data.report.tasks ? data.report.tasks[selected] : undefined;
    const node = (graphNodes().nodes || []).find((n) => n.id === selected) || { id: selected };
    const subs = Object.entries((data.report && data.report.tasks) || {}).filter(([k]) => k.startsWith(selected + '/'));
    const key = JSON.stringify([selected, task || null, subs]);
    panel.hidden = false;
    body.classList.add('with-panel');
    if (key === panelKey) return;
    panelKey = key;
    const scroll = panel.scrollTop;
    const status = task ? task.status || 'pending' : 'pending';
    const err = task && task.error;
    const started = task && parseTime(task.started_at);
    const finished = task && parseTime(task.finished_at);
    const count = node.for_each ? forEachCount(task) : null;
    const section = (title, ...content) => h('section', { class: 'panel-sec' }, h('h3', {}, title), ...content);
    fill(panel,
      h('div', { class: 'panel-head' },
        h('div', {},
          h('h2', { 'data-testid': 'task-id' }, selected),
          node.run ? h('div', { class: 'mono muted' }, node.run) : null),
        h('button', { type: 'button', class: 'btn small', 'aria-label': 'Close task details', 'data-testid': 'task-panel-close', onClick: closePanel }, '×')),
      h('dl', { class: 'meta panel-meta' },
        field('Status', badge(status, { 'data-testid': 'task-status' }), count !== null ? h('span', { class: 'muted' }, ` ×${count} items`) : null),
        field('Reason', h('span', { 'data-testid': 'task-reason' }, (task && task.reason) || '—')),
        field('Error', h('div', { 'data-testid': 'task-error', class: err ? 'err-text' : '' },
          err ? [
            err.message || '',
            err.status_code ? h('div', { class: 'muted' }, `status code ${err.status_code}`) : null,
            err.failure_indicator ? h('div', { class: 'muted' }, `failure indicator: ${err.failure_indicator}`) : null,
          ] : '—')),
        field('Attempts', h('span', { 'data-testid': 'task-attempts' }, task && task.attempts !== undefined ? String(task.attempts) : '—')),
        field('Started', timeEl(task && task.started_at)),
        field('Finished', timeEl(task && task.finished_at)),
        field('Duration', started ? fmtDuration((finished || new Date()).getTime() - started.getTime()) : '—'),
        field('Return Data', h('span', { 'data-testid': 'task-return-data' }, (task && task.return_data) || '—'))),
      !task ? h('p', { class: 'muted' }, 'Not started yet.') : null,
      task && task.attempts ? section('Calls', attemptsTable(task)) : null,
      section('Key Fields', kvTable(task && task.key_fields, 'task-key-fields')),
      section('Result', task && task.result
        ? h('pre', { class: 'result', 'data-testid': 'task-result' }, task.result)
        : h('p', { class: 'muted', 'data-testid': 'task-result' }, '—')),
      section(Array.isArray(task && task.with) && node.for_each ? 'Inputs (with), per item' : 'Inputs (with)',
        jsonTree(task ? task.with : undefined, { expandDepth: 2, testid: 'task-with' })),
      section('Raw data', jsonTree(task ? task.raw_data : undefined, { expandDepth: 1, testid: 'task-raw-data' })),
      subs.length ? section('Sub-playbook tasks', table({}, ['Task', 'Status', 'Reason'],
        subs.map(([k, t]) => h('tr', {}, h('td', { class: 'mono' }, k), h('td', {}, badge(t.status)), h('td', {}, t.reason || ''))))) : null,
      section('Definition', h('dl', { class: 'meta panel-meta' },
        field('Needs', node.needs && node.needs.length ? node.needs.join(', ') : '—'),
        field('Join', node.join || '—'),
        field('When', node.when ? h('code', {}, node.when) : '—'),
        field('For each', node.for_each ? 'yes' : 'no'),
        field('Finally', node.finally ? 'yes' : 'no'),
        field('Defined at', node.pos ? h('span', { class: 'mono' }, node.pos) : '—'))));
    panel.scrollTop = scroll;
  }

  function attemptsTable(task) {
    const log = (task && task.attempt_log) || [];
    if (!log.length) return h('p', { class: 'muted', 'data-testid': 'task-attempt-log' }, 'No call was made.');
    const t0 = parseTime(task.started_at);
    const shown = log.slice(0, ATTEMPT_ROWS);
    const more = log.length - shown.length + (task.attempt_log_omitted || 0);
    const hasItems = log.some((a) => a.item !== undefined);
    return h('div', {},
      table({ 'data-testid': 'task-attempt-log' }, [...(hasItems ? ['Item'] : []), 'Call', 'Started', 'Took', 'Return Data', 'Error'],
        shown.map((a) => {
          const as = parseTime(a.started_at), af = parseTime(a.finished_at);
          return h('tr', {},
            hasItems ? h('td', { class: 'num' }, a.item === undefined ? '—' : String(a.item)) : null,
            h('td', { class: 'num' }, String(a.attempt)),
            h('td', { class: 'num', title: a.started_at || '' }, as && t0 ? `+${fmtDuration(as.getTime() - t0.getTime())}` : '—'),
            h('td', { class: 'num' }, as && af ? fmtDuration(af.getTime() - as.getTime()) : '—'),
            h('td', {}, h('span', { class: `chip rd-${rdClass(a.return_data)}` }, a.return_data || '—')),
            h('td', { class: a.error ? 'err-cell' : 'muted' }, a.error ? `${a.status_code ? a.status_code + ' ' : ''}${a.error}` : '—'));
        })),
      more > 0 ? h('p', { class: 'muted' }, `and ${more} more call${more === 1 ? '' : 's'} not listed`) : null);
  }

  function drawTimeline() {
    const rep = data.report || {};
    const tasks = rep.tasks || {};
    const items = [];
    for (const [tid, t] of Object.entries(tasks)) {
      if (tid.includes('/')) continue;
      const st = parseTime(t.started_at);
      if (!st) continue;
      const fin = parseTime(t.finished_at);
      items.push({ id: tid, status: t.status, start: st.getTime(), end: fin ? fin.getTime() : (t.status === 'running' ? Date.now() : st.getTime()),
        attempts: t.attempt_log || [], omitted: (t.attempt_log_omitted || 0) + Math.max(0, (t.attempt_log || []).length - ATTEMPT_SEGMENTS) });
    }
    clear(timelineBox);
    const box = h('div', { class: 'timeline', 'data-testid': 'timeline' });
    timelineBox.appendChild(box);
    if (!items.length) {
      box.appendChild(h('p', { class: 'muted' }, 'No task has started.'));
      return;
    }
    items.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
    const runStart = parseTime(rep.started_at || (data.run && data.run.started_at));
    const t0 = Math.min(runStart ? runStart.getTime() : Infinity, ...items.map((i) => i.start));
    const runEnd = parseTime(rep.finished_at || (data.run && data.run.finished_at));
    const t1 = Math.max(runEnd ? runEnd.getTime() : 0, ...items.map((i) => i.end), t0 + 1);
    const span = t1 - t0;
    box.appendChild(h('div', { class: 'tl-axis' },
      h('span', {}, fmtTime(new Date(t0))),
      h('span', {}, `total ${fmtDuration(span)}`),
      h('span', {}, fmtTime(new Date(t1)))));
    const LIMIT = 300;
    const place = (el, from, to) => {
      el.style.left = `${((from - t0) / span) * 100}%`;
      el.style.width = `${Math.max(0.4, ((to - from) / span) * 100)}%`;
    };
    const drawRows = (list) => {
      const frag = document.createDocumentFragment();
      for (const it of list) {
        const n = it.attempts.length + it.omitted;
        const bar = h('div', { class: `tl-bar st-${it.status}${it.attempts.length ? ' spanned' : ''}`,
          title: `${it.id}: ${statusLabel(it.status)}, ${fmtDuration(it.end - it.start)}${n ? `, ${n} call${n === 1 ? '' : 's'}` : ''}` });
        place(bar, it.start, it.end);
        // One segment per call, coloured by its Return Data; the gaps
        // between them are backoff waits and polling intervals.
        const segs = it.attempts.slice(0, ATTEMPT_SEGMENTS).map((a) => {
          const as = parseTime(a.started_at), af = parseTime(a.finished_at);
          if (!as) return null;
          const seg = h('div', {
            class: `tl-att rd-${rdClass(a.return_data)}`, 'data-testid': 'timeline-attempt',
            'data-attempt': String(a.attempt), 'data-item': a.item === undefined ? '' : String(a.item),
            'data-return-data': a.return_data || '', title: attemptTitle(a, as, af),
          });
          place(seg, as.getTime(), af ? af.getTime() : it.end);
          return seg;
        });
        frag.appendChild(h('div', { class: `tl-row${it.id === selected ? ' selected' : ''}`, 'data-testid': 'timeline-row', 'data-timeline-task': it.id },
          h('button', { type: 'button', class: 'tl-label link-btn', title: it.id, onClick: () => { if (graphHandle) { graphHandle.select(it.id); graphHandle.reveal(it.id); } selectTask(it.id); } }, it.id),
          h('div', { class: 'tl-track' }, bar, segs),
          h('span', { class: 'tl-dur' }, `${statusLabel(it.status)} · ${fmtDuration(it.end - it.start)}${n > 1 ? ` · ${n} calls` : ''}`)));
      }
      return frag;
    };
    const rowsBox = h('div', { class: 'tl-rows' }, drawRows(items.slice(0, LIMIT)));
    box.appendChild(rowsBox);
    if (items.length > LIMIT) {
      const more = h('button', { type: 'button', class: 'btn small' }, `Show all ${items.length} tasks`);
      more.addEventListener('click', () => { rowsBox.appendChild(drawRows(items.slice(LIMIT))); more.remove(); });
      box.appendChild(more);
    }
  }

  function drawIO() {
    const rep = data.report || {};
    const key = JSON.stringify([rep.inputs || null, rep.outputs || null, rep.side_effects || null]);
    if (key === ioKey) return;
    ioKey = key;
    fill(ioBox,
      h('section', { class: 'card half' }, h('h2', {}, 'Inputs'), jsonTree(rep.inputs || {}, { expandDepth: 2, testid: 'run-inputs' })),
      h('section', { class: 'card half' }, h('h2', {}, 'Outputs'), jsonTree(rep.outputs || {}, { expandDepth: 2, testid: 'run-outputs' })));
    clear(sideBox);
    const se = rep.side_effects || [];
    if (se.length) {
      sideBox.appendChild(h('section', { class: 'card', 'data-testid': 'side-effects' },
        h('h2', {}, `Side effects not performed (dry run): ${se.length}`),
        table({}, ['Task', 'Item', 'Command', 'Request'], se.map((x) => h('tr', {},
          h('td', { class: 'mono' }, x.task || ''),
          h('td', { class: 'num' }, x.item === undefined || x.item === null ? '—' : String(x.item)),
          h('td', { class: 'mono' }, x.command || ''),
          h('td', {}, jsonTree(x.request, { expandDepth: 0 })))))));
    }
  }

  const isRunning = () => data && ((data.run && data.run.status) || (data.report && data.report.status)) === 'running';

  function draw() {
    drawHead();
    drawGraph();
    drawPanel();
    drawTimeline();
    drawIO();
  }

  let loading = false, again = false;
  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const d = await api('GET', `/api/runs/${encodeURIComponent(id)}`);
      if (!ctx.alive()) return;
      data = d;
      draw();
    } finally {
      loading = false;
      if (again && ctx.alive()) { again = false; refresh(); }
    }
  }
  const refresh = debounce(() => { load().catch((e) => { if (e.status !== 401 && ctx.alive()) console.warn('refresh:', e.message); }); }, 200);
  ctx.onCleanup(() => refresh.cancel());

  graphBox.appendChild(h('p', { class: 'muted' }, 'Loading…'));
  await load();
  if (!ctx.alive()) return;
  if (selected) drawPanel();

  // Live: while running, redraw on this run's task and run events; poll
  // when the stream is down.
  ctx.onCleanup(subscribe((type, d) => {
    if (!d || d.run_id !== id) return;
    if (isRunning() || type === 'run') refresh();
  }));
  let ticks = 0;
  const poll = setInterval(() => {
    if (!isRunning()) return;
    if (!stream.live && ++ticks % 3 === 0) refresh();
    const el = head.querySelector('.run-dur');
    if (el) el.textContent = fmtDuration(runDuration({ ...(data.report || {}), ...(data.run || {}), status: 'running' }));
  }, 1000);
  ctx.onCleanup(() => clearInterval(poll));
}

// ---------------------------------------------------------------- Playbooks

async function pagePlaybooks(ctx) {
  document.title = 'Playbooks · playbook';
  const filterIn = h('input', { type: 'search', id: 'pb-filter', placeholder: 'Filter by name or file', 'data-testid': 'playbooks-filter', autocomplete: 'off' });
  const list = h('div', { class: 'cards' });
  app.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Playbooks'),
      h('label', { for: 'pb-filter', class: 'inline' }, h('span', { class: 'sr-only' }, 'Filter playbooks'), filterIn)),
    list));
  list.appendChild(h('p', { class: 'muted' }, 'Loading…'));
  const data = await api('GET', '/api/playbooks');
  if (!ctx.alive()) return;
  clear(list);
  const pbs = (data && data.playbooks) || [];
  if (!pbs.length) list.appendChild(h('p', { class: 'muted' }, 'No playbooks.'));
  const cards = [];
  const queue = []; // graphs to draw, one per frame
  for (const pb of pbs) {
    const n = (pb.graph && pb.graph.nodes && pb.graph.nodes.length) || 0;
    const gBox = h('div', {});
    const det = h('details', { class: 'pb-graph' }, h('summary', {}, `Graph (${n} task${n === 1 ? '' : 's'})`), gBox);
    let drawn = false;
    const draw = () => {
      if (drawn || !ctx.alive()) return;
      drawn = true;
      if (pb.graph && pb.graph.error) gBox.appendChild(h('div', { class: 'alert warn' }, pb.graph.error));
      const gDiv = h('div', {});
      gBox.appendChild(gDiv);
      renderGraph(gDiv, pb.graph || { nodes: [] }, null, { testid: 'playbook-graph' });
    };
    det.addEventListener('toggle', () => { if (det.open) draw(); });
    if (n > 0 && n <= 150) { det.open = true; queue.push(draw); }
    const errs = pb.errors || [];
    const card = h('article', { class: 'card pb-card', 'data-testid': 'playbook-card', 'data-playbook': pb.name || '' },
      h('header', { class: 'pb-head' },
        h('h2', {}, pb.name || pb.file || '(unnamed)'),
        pb.valid
          ? h('span', { class: 'badge st-succeeded', 'data-testid': 'playbook-valid' }, '✓ valid')
          : h('span', { class: 'badge st-failed', 'data-testid': 'playbook-valid' }, `✗ invalid${errs.length ? ` (${errs.length} error${errs.length === 1 ? '' : 's'})` : ''}`),
        h('span', { class: 'mono muted' }, pb.file || ''),
        h('span', { class: 'spacer' }),
        h('a', { href: `#/runs${qs({ playbook: pb.name })}` }, 'All runs →')),
      errs.length ? h('ul', { class: 'errors', 'data-testid': 'playbook-errors' }, errs.map((e) => h('li', { class: 'mono' }, e))) : null,
      h('div', { class: 'pb-grid' },
        h('div', {},
          h('h3', {}, 'Triggers'),
          (pb.triggers || []).length
            ? h('ul', { class: 'chips', 'data-testid': 'playbook-triggers' }, pb.triggers.map((t) => h('li', { class: 'chip' }, t)))
            : h('p', { class: 'muted' }, 'None (run by hand).'),
          (pb.schedules || []).length ? [
            h('h3', {}, 'Schedules'),
            table({ 'data-testid': 'playbook-schedules', class: 'table compact' }, ['Name', 'Spec', 'Next'],
              pb.schedules.map((sc) => h('tr', {},
                h('td', {}, sc.name || ''), h('td', { class: 'mono' }, sc.spec || ''), h('td', { class: 'nowrap' }, timeEl(sc.next))))),
          ] : null),
        h('div', {},
          h('h3', {}, 'Last runs'),
          (pb.last_runs || []).length
            ? h('ul', { class: 'last-runs', 'data-testid': 'playbook-last-runs' }, pb.last_runs.map((run) => h('li', {},
              badge(run.status), ' ',
              h('a', { href: runLink(run.run_id), class: 'mono', title: run.run_id }, shortId(run.run_id)), ' ',
              h('span', { class: 'muted' }, fmtTime(run.started_at), ' · ', run.trigger || '', ' · ', fmtDuration(runDuration(run))))))
            : h('p', { class: 'muted' }, 'No runs yet.'))),
      n ? det : null);
    card._text = `${pb.name || ''} ${pb.file || ''}`.toLowerCase();
    cards.push(card);
    list.appendChild(card);
  }
  filterIn.addEventListener('input', () => {
    const t = filterIn.value.trim().toLowerCase();
    for (const c of cards) c.hidden = !!t && !c._text.includes(t);
  });
  // Draw open graphs after the cards are in the page (fit-to-width needs
  // their width), one per frame to keep the page responsive.
  const step = () => {
    if (!ctx.alive() || !queue.length) return;
    queue.shift()();
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

// ---------------------------------------------------------------- Events

async function pageEvents(ctx, r) {
  document.title = 'Events · playbook';
  const source = r.query.get('source') || '';
  const since = r.query.get('since') || '';
  const srcIn = h('input', { id: 'e-source', type: 'text', 'data-testid': 'events-source', value: source, placeholder: 'intake source', autocomplete: 'off' });
  const sinceIn = h('input', { id: 'e-since', type: 'text', 'data-testid': 'events-since', value: since, placeholder: '24h or RFC 3339', autocomplete: 'off' });
  const form = h('form', { class: 'filters', 'aria-label': 'Filter events' },
    h('label', { for: 'e-source' }, 'Source', srcIn),
    h('label', { for: 'e-since' }, 'Since', sinceIn),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'events-apply' }, 'Apply'),
      h('a', { href: '#/events', class: 'btn link' }, 'Clear')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/events${qs({ source: srcIn.value.trim(), since: sinceIn.value.trim() })}`);
  });
  const tbody = h('tbody', {});
  const tbl = h('table', { class: 'table', 'data-testid': 'events-table' },
    h('thead', {}, h('tr', {}, ['Fetched', 'Source', 'Unique key', 'State', 'Run', 'Fields'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody);
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const pg = pager('events-', (cursor) => load(cursor));
  app.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Events')),
    form, status, h('div', { class: 'table-wrap' }, tbl), pg.el));

  async function load(cursor) {
    status.textContent = 'Loading…';
    let data;
    try {
      data = await api('GET', `/api/events${qs({ source, since, limit: 50, cursor })}`);
    } catch (e) {
      if (!ctx.alive()) return;
      status.textContent = '';
      if (e.status !== 401) showError(status, e);
      return;
    }
    if (!ctx.alive()) return;
    status.textContent = '';
    clear(tbody);
    const evs = (data && data.events) || [];
    for (const ev of evs) {
      const fields = ev.fields && typeof ev.fields === 'object' ? ev.fields : {};
      const nf = Object.keys(fields).length;
      tbody.appendChild(h('tr', { 'data-testid': 'event-row', 'data-key': ev.unique_key || ev.key || '' },
        h('td', { class: 'nowrap' }, timeEl(ev.fetched_at)),
        h('td', {}, ev.source || ''),
        h('td', { class: 'mono break', title: ev.key && ev.key !== ev.unique_key ? `key: ${ev.key}` : '' }, ev.unique_key || ev.key || ''),
        h('td', {}, badge(ev.state || 'none', { 'data-testid': 'event-state' })),
        h('td', { class: 'mono' }, ev.run_id ? h('a', { href: runLink(ev.run_id), title: ev.run_id }, shortId(ev.run_id)) : h('span', { class: 'muted' }, '—')),
        h('td', {}, nf
          ? h('details', { class: 'fields' }, h('summary', {}, `${nf} field${nf === 1 ? '' : 's'}`), kvTable(fields, 'event-fields'))
          : h('span', { class: 'muted' }, '—'))));
    }
    if (!evs.length) tbody.appendChild(emptyRow(6, source || since ? 'No events match.' : 'No events yet.'));
    pg.update(data && data.next_cursor, evs.length);
  }
  await load('');
}

// ---------------------------------------------------------------- Connections

async function pageConnections(ctx) {
  document.title = 'Connections · playbook';
  const tbody = h('tbody', {});
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const refreshBtn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'connections-refresh' }, 'Refresh');
  app.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Connections'), refreshBtn),
    status,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table', 'data-testid': 'connections-table' },
        h('thead', {}, h('tr', {}, ['Name', 'Integration', 'Health', 'Failures', 'Last check', 'Last OK', 'Last error', 'History'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody))));

  async function load() {
    let data;
    try {
      data = await api('GET', '/api/connections');
    } catch (e) {
      if (ctx.alive() && e.status !== 401) showError(clear(status), e);
      return;
    }
    if (!ctx.alive()) return;
    clear(status);
    clear(tbody);
    const conns = (data && data.connections) || [];
    for (const c of conns) {
      const hist = [...(c.history || [])].sort((a, b) => {
        const x = parseTime(a.checked_at), y = parseTime(b.checked_at);
        return (x ? x.getTime() : 0) - (y ? y.getTime() : 0);
      });
      const okCount = hist.filter((x) => x.ok).length;
      tbody.appendChild(h('tr', { 'data-testid': 'connection-row', 'data-connection': c.name || '' },
        h('td', { class: 'mono' }, c.name || ''),
        h('td', {}, c.integration || ''),
        h('td', {},
          c.ok
            ? h('span', { class: 'badge st-succeeded', 'data-testid': 'connection-health' }, '✓ healthy')
            : h('span', { class: 'badge st-failed', 'data-testid': 'connection-health' }, '✗ failing'),
          c.notified ? h('span', { class: 'chip warn', title: 'Failure notification sent' }, 'notified') : null),
        h('td', { class: 'num' }, String(c.failures ?? 0)),
        h('td', { class: 'nowrap' }, timeEl(c.last_check)),
        h('td', { class: 'nowrap' }, timeEl(c.last_ok)),
        h('td', { class: 'err-cell', title: c.last_error || '' }, truncate(c.last_error || '', 100) || h('span', { class: 'muted' }, '—')),
        h('td', {},
          hist.length
            ? h('div', { class: 'ticks', role: 'img', 'aria-label': `${okCount} of ${hist.length} recent checks OK, newest last`, 'data-testid': 'connection-history' },
              hist.map((x) => h('span', {
                class: `tick ${x.ok ? 'ok' : 'fail'}`,
                title: `${fmtTime(x.checked_at)}: ${x.ok ? 'OK' : `failed${x.error ? `: ${x.error}` : ''}`}`,
              }, x.ok ? '' : '')))
            : h('span', { class: 'muted' }, '—'))));
    }
    if (!conns.length) tbody.appendChild(emptyRow(8, 'No connections are health-checked.'));
  }
  refreshBtn.addEventListener('click', () => load());
  const t = setInterval(load, 15000);
  ctx.onCleanup(() => clearInterval(t));
  await load();
}

// ---------------------------------------------------------------- Login

function pageLogin(ctx, r) {
  document.title = 'Sign in · playbook';
  let next = r.query.get('next') || '/runs';
  if (!next.startsWith('/') || next.startsWith('/login')) next = '/runs';
  const user = h('input', { id: 'l-user', type: 'text', name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-user' });
  const pass = h('input', { id: 'l-pass', type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const err = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h' }, 'Sign in'),
    h('label', { for: 'l-user' }, 'Username', user),
    h('label', { for: 'l-pass' }, 'Password', pass),
    err, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    submit.disabled = true;
    try {
      const s = await api('POST', '/api/login', { user: user.value, password: pass.value });
      if (!ctx.alive()) return;
      state.session = s;
      renderNav();
      startStream();
      location.hash = `#${next}`;
    } catch (e) {
      if (!ctx.alive()) return;
      err.textContent = e.status === 401 ? ((e.body && e.body.error) || 'Wrong username or password.') : e.message;
      pass.value = '';
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  });
  renderNav();
  app.appendChild(h('section', { class: 'page login-page' }, form));
  user.focus();
}

// ---------------------------------------------------------------- start

window.addEventListener('hashchange', route);
const skip = document.querySelector('.skip-link');
if (skip) skip.addEventListener('click', (ev) => { ev.preventDefault(); app.focus(); });
renderNav();
route();
