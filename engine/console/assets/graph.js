// Task graph renderer: dagre lays the DAG out (window.dagre, loaded by a
// classic <script> before the app), and this module draws it as SVG.
//
// renderGraph(container, graph, tasks, {onSelect, selected, testid})
//   graph: {nodes: [{id, run, needs, join, when, for_each, finally, pos}]}
//   tasks: the run report's tasks map, or null for a playbook's graph (no
//          statuses: neutral colour). Tasks absent from the map are pending.
// Returns a handle {select(id), svg, layoutMs, renderMs}.
//
// Large graphs: the layout of a graph's structure is cached (live redraws
// of a running run only change statuses), above BIG nodes a fast linear
// ranker replaces dagre's network simplex, and the SVG is built off-document
// in one fragment with no layout reads but the container's width.

import { s, h, clear, truncate, statusClass, statusLabel, STATUS_ICON } from './dom.js';

const NODE_W = 220;
const NODE_H = 76;
const BIG = 100; // nodes; above this, fastRank instead of network simplex
const FIN_PAD = 14; // padding of the finally box
const FIN_LABEL = 22;
const GAP = 40; // between the main graph and the finally box
const PAD = 4; // around the drawing, so no stroke is clipped

let uid = 0;
const layoutCache = new Map(); // signature+rankdir -> layout (a few kept)
const states = new WeakMap(); // container -> {scale, fit, rankdir, sig, scroll}

function dagreLib() {
  const d = window.dagre;
  if (!d || typeof d.layout !== 'function') throw new Error('graph layout library (dagre) did not load');
  return d;
}

function signature(nodes) {
  let sig = '';
  for (const n of nodes) sig += `${n.id}${n.finally ? '!' : ''}<${(n.needs || []).join(',')};`;
  return sig;
}

// fastRank is a linear-time ranker for large graphs (dagre calls it on its
// internal, already acyclic graph): longest path from the sources, then one
// pass in reverse topological order that pulls a node down towards its
// successors when more edge weight leaves it than enters (sources first of
// all), shortening long edges and so dagre's dummy nodes.
function fastRank(g) {
  const nodes = g.nodes();
  const indeg = new Map();
  const rank = new Map();
  for (const v of nodes) { indeg.set(v, g.inEdges(v).length); rank.set(v, 0); }
  const order = [];
  const queue = nodes.filter((v) => indeg.get(v) === 0);
  while (queue.length) {
    const v = queue.pop();
    order.push(v);
    for (const e of g.outEdges(v)) {
      const r = rank.get(v) + g.edge(e).minlen;
      if (r > rank.get(e.w)) rank.set(e.w, r);
      const d = indeg.get(e.w) - 1;
      indeg.set(e.w, d);
      if (d === 0) queue.push(e.w);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    const outs = g.outEdges(v);
    if (!outs.length) continue;
    let win = 0, wout = 0, maxr = Infinity;
    for (const e of g.inEdges(v)) win += g.edge(e).weight;
    for (const e of outs) {
      const l = g.edge(e);
      wout += l.weight;
      const r = rank.get(e.w) - l.minlen;
      if (r < maxr) maxr = r;
    }
    if (wout > win && maxr > rank.get(v) && maxr !== Infinity) rank.set(v, maxr);
  }
  for (const v of nodes) g.node(v).rank = rank.get(v);
}

// shape estimates depth and width of the graph (ranks by longest path) to
// choose the direction: a graph far wider than deep reads better left to
// right.
function shape(nodes) {
  const ids = new Map(nodes.map((n) => [n.id, n]));
  const rank = new Map();
  const visiting = new Set();
  const rankOf = (id) => {
    if (rank.has(id)) return rank.get(id);
    if (visiting.has(id)) return 0; // cycle: the playbook is invalid anyway
    visiting.add(id);
    let r = 0;
    for (const p of ids.get(id).needs || []) if (ids.has(p) && p !== id) r = Math.max(r, rankOf(p) + 1);
    visiting.delete(id);
    rank.set(id, r);
    return r;
  };
  const width = new Map();
  let depth = 0, maxw = 0;
  for (const n of nodes) {
    const r = rankOf(n.id);
    depth = Math.max(depth, r + 1);
    const w = (width.get(r) || 0) + 1;
    width.set(r, w);
    maxw = Math.max(maxw, w);
  }
  return { depth, width: maxw };
}

function autoRankdir(nodes) {
  const { depth, width } = shape(nodes);
  return width >= 8 && width > 2.5 * depth ? 'LR' : 'TB';
}

function layoutPart(nodes, rankdir) {
  const dagre = dagreLib();
  const big = nodes.length > BIG;
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir,
    nodesep: big ? 16 : 28,
    ranksep: big ? 36 : 46,
    edgesep: 10,
    marginx: 6,
    marginy: 6,
    ranker: big ? fastRank : 'network-simplex',
  });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set();
  for (const n of nodes) {
    ids.add(n.id);
    g.setNode(n.id, { width: NODE_W, height: NODE_H });
  }
  for (const n of nodes) {
    for (const p of n.needs || []) {
      if (ids.has(p) && p !== n.id && !g.hasEdge(p, n.id)) g.setEdge(p, n.id);
    }
  }
  if (nodes.length) dagre.layout(g);
  const pos = new Map();
  for (const id of g.nodes()) {
    const l = g.node(id);
    pos.set(id, { x: l.x - l.width / 2, y: l.y - l.height / 2 });
  }
  const edges = g.edges().map((e) => ({ v: e.v, w: e.w, points: g.edge(e).points || [] }));
  const gl = g.graph();
  return { width: nodes.length ? gl.width : 0, height: nodes.length ? gl.height : 0, pos, edges };
}

function computeLayout(nodes, rankdir) {
  const main = nodes.filter((n) => !n.finally);
  const fin = nodes.filter((n) => n.finally);
  const a = layoutPart(main, rankdir);
  const out = { width: a.width, height: a.height, pos: a.pos, edges: a.edges, finBox: null };
  if (!fin.length) return out;
  const b = layoutPart(fin, rankdir);
  const boxW = b.width + 2 * FIN_PAD;
  const boxH = b.height + 2 * FIN_PAD + FIN_LABEL;
  let bx, by;
  if (rankdir === 'LR') {
    bx = a.width ? a.width + GAP : 0;
    by = Math.max(0, (a.height - boxH) / 2);
    out.width = bx + boxW;
    out.height = Math.max(a.height, boxH);
  } else {
    bx = Math.max(0, (a.width - boxW) / 2);
    by = a.height ? a.height + GAP : 0;
    out.width = Math.max(a.width, boxW);
    out.height = by + boxH;
  }
  const ox = bx + FIN_PAD, oy = by + FIN_PAD + FIN_LABEL;
  for (const [id, p] of b.pos) out.pos.set(id, { x: p.x + ox, y: p.y + oy });
  for (const e of b.edges) {
    out.edges.push({ v: e.v, w: e.w, points: e.points.map((p) => ({ x: p.x + ox, y: p.y + oy })) });
  }
  out.finBox = { x: bx, y: by, width: boxW, height: boxH };
  return out;
}

function cachedLayout(nodes, rankdir) {
  const key = rankdir + '\n' + signature(nodes);
  let l = layoutCache.get(key);
  if (l) {
    layoutCache.delete(key); // keep most recently used last
    layoutCache.set(key, l);
    return { layout: l, cached: true };
  }
  l = computeLayout(nodes, rankdir);
  layoutCache.set(key, l);
  while (layoutCache.size > 8) layoutCache.delete(layoutCache.keys().next().value);
  return { layout: l, cached: false };
}

// edgePath smooths dagre's polyline through the midpoints of its segments.
function edgePath(pts) {
  if (!pts.length) return '';
  const f = (n) => Math.round(n * 10) / 10;
  let d = `M${f(pts[0].x)},${f(pts[0].y)}`;
  if (pts.length === 2) return d + `L${f(pts[1].x)},${f(pts[1].y)}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i], q = pts[i + 1];
    const mx = i === pts.length - 2 ? q.x : (p.x + q.x) / 2;
    const my = i === pts.length - 2 ? q.y : (p.y + q.y) / 2;
    d += `Q${f(p.x)},${f(p.y)} ${f(mx)},${f(my)}`;
  }
  return d;
}

export function forEachCount(task) {
  if (!task) return null;
  if (typeof task.items === 'number') return task.items;
  if (Array.isArray(task.with)) return task.with.length;
  return null;
}

function nodeInfo(n, task, withStatus) {
  const status = withStatus ? (task ? task.status || 'pending' : 'pending') : 'none';
  let note = '';
  if (withStatus && task) {
    if ((status === 'skipped' || status === 'cancelled') && task.reason) note = task.reason;
    else if (status === 'failed' && task.error && task.error.message) note = task.error.message;
    else if (task.reason && status !== 'succeeded') note = task.reason;
  } else if (!withStatus) {
    if (n.when) note = `when: ${n.when}`;
    else if (n.join && n.join !== 'all_succeeded') note = `join: ${n.join}`;
  }
  return { status, note };
}

// nodeKey is what a node's drawing depends on besides its place: a live
// redraw replaces only the nodes whose key changed.
function nodeKey(n, task, withStatus) {
  const { status, note } = nodeInfo(n, task, withStatus);
  return `${status}\n${note}\n${n.for_each ? forEachCount(task) : ''}`;
}

function drawNode(n, p, task, withStatus) {
  const { status, note } = nodeInfo(n, task, withStatus);
  const cls = statusClass(status);
  const count = n.for_each ? forEachCount(task) : null;
  let stLine;
  if (withStatus) {
    stLine = `${STATUS_ICON[cls] || ''} ${statusLabel(status)}`.trim();
    if (n.for_each) stLine += count !== null ? `  ×${count}` : '  · for each';
  } else {
    stLine = n.for_each ? 'for each · ' : '';
    stLine += n.needs && n.needs.length ? `needs ${n.needs.join(', ')}` : 'no needs';
  }
  if (n.finally) stLine += '  · finally';
  stLine = truncate(stLine, 36);
  const title = [
    n.id,
    n.run ? `run: ${n.run}` : '',
    withStatus ? `status: ${statusLabel(status)}` : '',
    note && !note.startsWith('when:') ? note : '',
    n.when ? `when: ${n.when}` : '',
    n.needs && n.needs.length ? `needs: ${n.needs.join(', ')}${n.join && n.join !== 'all_succeeded' ? ` (${n.join})` : ''}` : '',
    n.for_each ? `for_each${count !== null ? `: ${count} items` : ''}` : '',
    n.finally ? 'finally task' : '',
    n.pos || '',
  ].filter(Boolean).join('\n');
  const g = s('g', {
    class: `node st-${cls}${n.for_each ? ' foreach' : ''}${n.finally ? ' finally' : ''}`,
    'data-testid': 'node',
    'data-task': n.id,
    'data-status': status,
    tabindex: '0',
    role: 'button',
    'aria-label': `${n.id}${n.run ? ', ' + n.run : ''}${withStatus ? ', ' + statusLabel(status) : ''}`,
    transform: `translate(${Math.round(p.x)},${Math.round(p.y)})`,
  });
  g.appendChild(s('title', {}, title));
  if (n.for_each) g.appendChild(s('rect', { class: 'stack', x: 5, y: 5, width: NODE_W, height: NODE_H, rx: 5 }));
  g.appendChild(s('rect', { class: 'box', width: NODE_W, height: NODE_H, rx: 5 }));
  g.appendChild(s('rect', { class: 'stripe', width: 5, height: NODE_H, rx: 2 }));
  g.appendChild(s('text', { class: 't-id', x: 13, y: 19 }, truncate(n.id, 27)));
  g.appendChild(s('text', { class: 't-cmd', x: 13, y: 36 }, truncate(n.run || '', 31)));
  g.appendChild(s('text', { class: 't-st', x: 13, y: 53 }, stLine));
  if (note) g.appendChild(s('text', { class: 't-note', x: 13, y: 69 }, truncate(note, 34)));
  return g;
}

function applyScale(st, svg, layout) {
  svg.setAttribute('width', String(Math.max(1, Math.ceil((layout.width + 2 * PAD) * st.scale))));
  svg.setAttribute('height', String(Math.max(1, Math.ceil((layout.height + 2 * PAD) * st.scale))));
}

function updateView(v, nodes, tasks, withStatus) {
  v.tasks = tasks;
  v.graph = { nodes };
  for (const n of nodes) {
    const old = v.gById.get(n.id);
    const p = v.layout.pos.get(n.id);
    if (!old || !p) continue;
    const task = tasks ? tasks[n.id] : null;
    const key = nodeKey(n, task, withStatus);
    if (key === v.keyById.get(n.id)) continue;
    const g = drawNode(n, p, task, withStatus);
    const hadFocus = document.activeElement === old;
    v.nodesG.replaceChild(g, old);
    v.gById.set(n.id, g);
    v.keyById.set(n.id, key);
    if (v.handle.selected === n.id) {
      g.classList.add('selected');
      g.setAttribute('aria-pressed', 'true');
    }
    if (hadFocus) g.focus({ preventScroll: true });
  }
  for (const path of v.edgeEls) {
    const t = tasks && tasks[path.getAttribute('data-from')];
    path.classList.toggle('from-failed', !!(t && t.status === 'failed'));
  }
}

export function renderGraph(container, graph, tasks, opts = {}) {
  const t0 = performance.now();
  const nodes = (graph && Array.isArray(graph.nodes)) ? graph.nodes : [];
  const withStatus = !!tasks;
  let st = states.get(container);
  const sig = signature(nodes);
  if (!st || st.sig !== sig) {
    st = { sig, scale: 1, fit: true, rankdir: opts.rankdir || autoRankdir(nodes.filter((n) => !n.finally)) };
    states.set(container, st);
  }
  // The same graph already drawn here: update the nodes whose status
  // changed, keep everything else (scroll, zoom, focus, listeners).
  const v = st.view;
  if (v && v.rankdir === st.rankdir && v.withStatus === withStatus && v.svg.isConnected && container.contains(v.svg)) {
    v.opts = opts;
    updateView(v, nodes, tasks, withStatus);
    if (opts.selected !== undefined && opts.selected !== v.handle.selected) v.handle.select(opts.selected);
    v.handle.layoutMs = 0;
    v.handle.renderMs = Math.round(performance.now() - t0);
    v.svg.setAttribute('data-render-ms', String(v.handle.renderMs));
    return v.handle;
  }
  const { layout, cached } = cachedLayout(nodes, st.rankdir);
  const t1 = performance.now();

  // Keep the scroll position across redraws of the same graph.
  const oldScroll = container.querySelector('.graph-scroll');
  const scroll0 = oldScroll ? { left: oldScroll.scrollLeft, top: oldScroll.scrollTop } : null;

  const markerId = `arrow-${++uid}`;
  const svg = s('svg', {
    class: 'graph',
    'data-testid': opts.testid || 'graph',
    viewBox: `${-PAD} ${-PAD} ${Math.ceil(layout.width + 2 * PAD)} ${Math.ceil(layout.height + 2 * PAD)}`,
    role: 'group',
    'aria-label': `Task graph, ${nodes.length} tasks`,
  });
  const frag = document.createDocumentFragment();
  frag.appendChild(s('defs', {},
    s('marker', { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' },
      s('path', { class: 'arrow', d: 'M0,0L10,5L0,10z' }))));
  if (layout.finBox) {
    const b = layout.finBox;
    frag.appendChild(s('g', { class: 'finally-box' },
      s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 8 }),
      s('text', { x: b.x + 12, y: b.y + 17 }, 'finally — runs after every task has ended')));
  }
  const edgesG = s('g', { class: 'edges' });
  const byNode = new Map(); // id -> [edge elements]
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  for (const e of layout.edges) {
    const tv = tasks && tasks[e.v];
    const path = s('path', {
      class: `edge${tv && tv.status === 'failed' ? ' from-failed' : ''}`,
      d: edgePath(e.points),
      'marker-end': `url(#${markerId})`,
      'data-from': e.v,
      'data-to': e.w,
    });
    edgesG.appendChild(path);
    for (const id of [e.v, e.w]) {
      let l = byNode.get(id);
      if (!l) byNode.set(id, (l = []));
      l.push(path);
    }
  }
  frag.appendChild(edgesG);
  const nodesG = s('g', { class: 'nodes' });
  const gById = new Map();
  const keyById = new Map();
  for (const [id, p] of layout.pos) {
    const n = nodeById.get(id);
    if (!n) continue;
    const task = tasks ? tasks[id] : null;
    const g = drawNode(n, p, task, withStatus);
    gById.set(id, g);
    keyById.set(id, nodeKey(n, task, withStatus));
    nodesG.appendChild(g);
  }
  const edgeEls = [...edgesG.childNodes];
  frag.appendChild(nodesG);
  svg.appendChild(frag);

  // Toolbar: zoom, fit, direction.
  const scrollBox = h('div', { class: 'graph-scroll', tabindex: '-1' });
  const zoomLabel = h('span', { class: 'zoom-label', 'aria-live': 'polite' });
  const setScale = (sc, fit) => {
    st.scale = Math.min(2, Math.max(0.05, sc));
    st.fit = !!fit;
    applyScale(st, svg, layout);
    zoomLabel.textContent = `${Math.round(st.scale * 100)}%`;
  };
  const fitWidth = () => {
    const cw = scrollBox.clientWidth || container.clientWidth || 800;
    setScale(Math.min(1, (cw - 4) / (layout.width + 2 * PAD)), true);
  };
  // centerOn scrolls a node to the middle of the view (from the layout,
  // no DOM reads but the box's size).
  const centerOn = (id) => {
    const p = layout.pos.get(id);
    if (!p) return false;
    scrollBox.scrollLeft = (p.x + PAD + NODE_W / 2) * st.scale - scrollBox.clientWidth / 2;
    scrollBox.scrollTop = (p.y + PAD + NODE_H / 2) * st.scale - scrollBox.clientHeight / 2;
    return true;
  };
  const zoomTo = (scale) => {
    if (handle.selected && layout.pos.has(handle.selected)) {
      setScale(scale, false);
      centerOn(handle.selected);
      return;
    }
    const cx = scrollBox.scrollLeft + scrollBox.clientWidth / 2;
    const cy = scrollBox.scrollTop + scrollBox.clientHeight / 2;
    const old = st.scale;
    setScale(scale, false);
    const k = st.scale / old;
    scrollBox.scrollLeft = cx * k - scrollBox.clientWidth / 2;
    scrollBox.scrollTop = cy * k - scrollBox.clientHeight / 2;
  };
  const zoomAt = (factor) => zoomTo(st.scale * factor);
  const toolbar = h('div', { class: 'graph-toolbar', role: 'toolbar', 'aria-label': 'Graph view' },
    h('button', { type: 'button', class: 'btn small', title: 'Zoom out', 'aria-label': 'Zoom out', 'data-testid': 'graph-zoom-out', onClick: () => zoomAt(1 / 1.25) }, '−'),
    zoomLabel,
    h('button', { type: 'button', class: 'btn small', title: 'Zoom in', 'aria-label': 'Zoom in', 'data-testid': 'graph-zoom-in', onClick: () => zoomAt(1.25) }, '+'),
    h('button', { type: 'button', class: 'btn small', title: 'Fit to width', 'data-testid': 'graph-fit', onClick: fitWidth }, 'Fit'),
    h('button', { type: 'button', class: 'btn small', title: 'Actual size', 'data-testid': 'graph-100', onClick: () => zoomTo(1) }, '100%'),
    h('button', {
      type: 'button', class: 'btn small', 'data-testid': 'graph-direction',
      title: 'Switch between top-to-bottom and left-to-right layout',
      onClick: () => {
        st.rankdir = st.rankdir === 'TB' ? 'LR' : 'TB';
        st.fit = true;
        st.view = null;
        renderGraph(container, view.graph, view.tasks, { ...view.opts, selected: handle.selected });
      },
    }, st.rankdir === 'TB' ? '↧ top-down' : '↦ left-right'),
    h('span', { class: 'muted graph-count' }, `${nodes.length} task${nodes.length === 1 ? '' : 's'}`));
  scrollBox.appendChild(svg);
  if (!nodes.length) scrollBox.appendChild(h('p', { class: 'muted empty' }, 'No tasks.'));
  clear(container);
  container.classList.add('graph-wrap');
  container.appendChild(toolbar);
  container.appendChild(scrollBox);

  if (st.fit) fitWidth(); else setScale(st.scale, false);
  if (scroll0) { scrollBox.scrollLeft = scroll0.left; scrollBox.scrollTop = scroll0.top; }
  // Refit when the box changes width (the task panel opens or closes, the
  // window is resized) while the view is fitted.
  if (st.observer) st.observer.disconnect();
  if (typeof ResizeObserver !== 'undefined') {
    let lastW = scrollBox.clientWidth;
    st.observer = new ResizeObserver(() => {
      const w = scrollBox.clientWidth;
      if (w === lastW || !scrollBox.isConnected) return;
      lastW = w;
      if (st.fit) fitWidth();
    });
    st.observer.observe(scrollBox);
  }

  // Interaction, delegated: one listener for all nodes.
  const handle = {
    svg,
    selected: null,
    select(id) {
      if (handle.selected && gById.has(handle.selected)) {
        gById.get(handle.selected).classList.remove('selected');
        gById.get(handle.selected).removeAttribute('aria-pressed');
        for (const p of byNode.get(handle.selected) || []) p.classList.remove('hl');
      }
      handle.selected = id || null;
      const g = id && gById.get(id);
      if (g) {
        g.classList.add('selected');
        g.setAttribute('aria-pressed', 'true');
        for (const p of byNode.get(id) || []) p.classList.add('hl');
      }
    },
    focus(id) {
      const g = gById.get(id);
      if (g) g.focus({ preventScroll: true });
    },
    // reveal scrolls the node into the middle of the view.
    reveal(id) {
      return centerOn(id);
    },
    layoutMs: 0,
    renderMs: 0,
  };
  const view = {
    svg, handle, opts, layout, gById, keyById, edgeEls, byNode, nodesG,
    rankdir: st.rankdir, withStatus, graph, tasks,
  };
  st.view = view;
  const pick = (target) => {
    const g = target.closest && target.closest('g.node');
    return g ? g.getAttribute('data-task') : null;
  };
  svg.addEventListener('click', (ev) => {
    const id = pick(ev.target);
    if (id) {
      handle.select(id);
      if (view.opts.onSelect) view.opts.onSelect(id);
    }
  });
  svg.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    const id = pick(ev.target);
    if (!id) return;
    ev.preventDefault();
    handle.select(id);
    if (view.opts.onSelect) view.opts.onSelect(id);
  });
  // Drag the background to pan; ctrl/cmd + wheel to zoom.
  let drag = null;
  scrollBox.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 || pick(ev.target)) return;
    drag = { x: ev.clientX, y: ev.clientY, l: scrollBox.scrollLeft, t: scrollBox.scrollTop };
    scrollBox.classList.add('dragging');
  });
  scrollBox.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    scrollBox.scrollLeft = drag.l - (ev.clientX - drag.x);
    scrollBox.scrollTop = drag.t - (ev.clientY - drag.y);
  });
  const endDrag = () => { drag = null; scrollBox.classList.remove('dragging'); };
  scrollBox.addEventListener('pointerup', endDrag);
  scrollBox.addEventListener('pointerleave', endDrag);
  scrollBox.addEventListener('wheel', (ev) => {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    zoomAt(ev.deltaY < 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });

  if (opts.selected) {
    handle.select(opts.selected);
    if (!scroll0 && st.scale >= 0.3) centerOn(opts.selected);
  }
  const t2 = performance.now();
  handle.layoutMs = Math.round(t1 - t0);
  handle.renderMs = Math.round(t2 - t1);
  svg.setAttribute('data-layout-ms', String(handle.layoutMs));
  svg.setAttribute('data-render-ms', String(handle.renderMs));
  if (nodes.length >= 200 && !cached) {
    console.debug(`graph: ${nodes.length} tasks, ${layout.edges.length} edges, ${st.rankdir}: layout ${handle.layoutMs} ms, render ${handle.renderMs} ms`);
  }
  return handle;
}
