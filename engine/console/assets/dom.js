// DOM helpers. Everything the console shows is built with createElement and
// textContent: no innerHTML, no inline styles or handlers (the page runs
// under a strict Content-Security-Policy, and API data is untrusted).

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'style') throw new Error('h: use a class, or el.style.prop via CSSOM');
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class' || k === 'className') {
      if (el instanceof SVGElement) el.setAttribute('class', v);
      else el.className = v;
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'open') {
      el[k] = !!v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// h('a', {href: '#/runs', class: 'x', onClick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// s('rect', {x: 1, y: 2}) builds an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// fill replaces el's children (skipping null, undefined and false, unlike
// Element.append, which would show them as text).
export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// Time and duration formatting.

const pad = (n, w = 2) => String(n).padStart(w, '0');

// parseTime returns a Date, or null for empty values and Go's zero time.
export function parseTime(v) {
  if (!v) return null;
  const d = new Date(v);
  if (isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return null;
  return d;
}

export function fmtTime(v) {
  const d = v instanceof Date ? v : parseTime(v);
  if (!d) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// timeEl shows local time, with the exact UTC instant as its title.
export function timeEl(v) {
  const d = parseTime(v);
  if (!d) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, fmtTime(d));
}

export function fmtDuration(ms) {
  if (ms === undefined || ms === null || isNaN(ms)) return '—';
  ms = Math.max(0, Math.round(ms));
  if (ms < 1000) return `${ms}ms`;
  const sec = ms / 1000;
  if (sec < 60) return `${sec < 10 ? sec.toFixed(2) : sec.toFixed(1)}s`;
  const m = Math.floor(sec / 60), rs = Math.floor(sec % 60);
  if (m < 60) return `${m}m ${pad(rs)}s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${pad(m % 60)}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

// runDuration gives a run row's duration in ms, counting a running run up
// to now.
export function runDuration(run) {
  if (run.status === 'running') {
    const st = parseTime(run.started_at);
    return st ? Date.now() - st.getTime() : null;
  }
  if (typeof run.duration_ms === 'number' && run.duration_ms > 0) return run.duration_ms;
  const st = parseTime(run.started_at), fin = parseTime(run.finished_at);
  if (st && fin) return fin.getTime() - st.getTime();
  return typeof run.duration_ms === 'number' ? run.duration_ms : null;
}

export function truncate(str, n) {
  str = String(str ?? '');
  return str.length > n ? str.slice(0, Math.max(0, n - 1)) + '…' : str;
}

// Statuses. A run's status (Successful, Partially Successful, ...) and a
// task's (succeeded, dry_run, ...) map to one CSS class each; the word is
// always shown too, so colour is never the only signal.

const RUN_CLASS = {
  running: 'running',
  Successful: 'succeeded',
  Failed: 'failed',
  'Partially Successful': 'partial',
  Cancelled: 'cancelled',
  Interrupted: 'interrupted',
};

export const STATUS_ICON = {
  succeeded: '✓',
  failed: '✗',
  skipped: '⤼',
  cancelled: '⊘',
  dry_run: '◇',
  running: '●',
  pending: '○',
  partial: '◐',
  interrupted: '⚠',
};

export function statusClass(status) {
  if (!status) return 'none';
  if (RUN_CLASS[status]) return RUN_CLASS[status];
  return String(status).toLowerCase().replace(/[^a-z_]+/g, '_');
}

export function statusLabel(status) {
  return String(status || '').replace(/_/g, ' ');
}

export function badge(status, attrs = {}) {
  const cls = statusClass(status);
  const icon = STATUS_ICON[cls];
  return h('span', { ...attrs, class: `badge st-${cls}`, 'data-status': status || '' },
    icon ? h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, icon) : null,
    statusLabel(status) || 'unknown');
}

export function debounce(fn, ms) {
  let t = null;
  const d = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => { t = null; fn(...args); }, ms);
  };
  d.cancel = () => { clearTimeout(t); t = null; };
  return d;
}
