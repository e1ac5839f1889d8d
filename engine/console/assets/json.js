// A collapsible JSON tree: <details>/<summary> per object or array, whose
// children are built only when it is first opened (raw_data can be large).
// Strings are shown as text, never parsed as HTML.

import { h } from './dom.js';

const CHUNK = 100; // arrays and objects longer than this open in groups

function isContainer(v) {
  return v !== null && typeof v === 'object';
}

function primitive(v) {
  if (v === null) return h('span', { class: 'j-null' }, 'null');
  switch (typeof v) {
    case 'string': return h('span', { class: 'j-str' }, `"${v}"`);
    case 'number': return h('span', { class: 'j-num' }, String(v));
    case 'boolean': return h('span', { class: 'j-bool' }, String(v));
    case 'undefined': return h('span', { class: 'j-null' }, '—');
    default: return h('span', {}, String(v));
  }
}

function preview(v) {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.length} item${v.length === 1 ? '' : 's'} ]`;
  const n = Object.keys(v).length;
  return n === 0 ? '{}' : `{ ${n} key${n === 1 ? '' : 's'} }`;
}

function keyEl(key) {
  if (key === undefined) return null;
  return h('span', { class: typeof key === 'number' ? 'j-idx' : 'j-key' }, String(key));
}

function entriesOf(v) {
  return Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
}

// node builds one entry: a primitive line, or a lazily filled <details>.
function node(key, v, depth, opts) {
  if (!isContainer(v)) {
    return h('div', { class: 'j-line' }, keyEl(key), key !== undefined ? h('span', { class: 'j-colon' }, ': ') : null, primitive(v));
  }
  const entries = entriesOf(v);
  if (entries.length === 0) {
    return h('div', { class: 'j-line' }, keyEl(key), key !== undefined ? h('span', { class: 'j-colon' }, ': ') : null,
      h('span', { class: 'j-empty' }, preview(v)));
  }
  const det = h('details', { class: 'j-node' },
    h('summary', {}, keyEl(key), key !== undefined ? h('span', { class: 'j-colon' }, ': ') : null,
      h('span', { class: 'j-preview' }, preview(v))));
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    det.appendChild(children(entries, depth + 1, opts));
  };
  det.addEventListener('toggle', () => { if (det.open) build(); });
  if (depth < opts.expandDepth && entries.length <= opts.expandMax) {
    build();
    det.open = true;
  }
  return det;
}

function children(entries, depth, opts) {
  const box = h('div', { class: 'j-children' });
  if (entries.length <= CHUNK) {
    for (const [k, x] of entries) box.appendChild(node(k, x, depth, opts));
    return box;
  }
  // Long lists: groups of CHUNK entries, each built when opened.
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    const label = `${String(part[0][0])} … ${String(part[part.length - 1][0])}`;
    const det = h('details', { class: 'j-node j-chunk' }, h('summary', {}, h('span', { class: 'j-preview' }, label)));
    let built = false;
    det.addEventListener('toggle', () => {
      if (det.open && !built) {
        built = true;
        const inner = h('div', { class: 'j-children' });
        for (const [k, x] of part) inner.appendChild(node(k, x, depth, opts));
        det.appendChild(inner);
      }
    });
    box.appendChild(det);
  }
  return box;
}

// jsonTree renders value. expandDepth levels open at first (containers
// with at most expandMax entries).
export function jsonTree(value, { expandDepth = 1, expandMax = 50, testid } = {}) {
  const root = h('div', { class: 'json', 'data-testid': testid });
  if (value === undefined) {
    root.appendChild(h('span', { class: 'muted' }, '—'));
    return root;
  }
  if (typeof value === 'string' && value.includes('\n')) {
    root.appendChild(h('pre', { class: 'j-multiline' }, value));
    return root;
  }
  root.appendChild(node(undefined, value, 0, { expandDepth, expandMax }));
  return root;
}
