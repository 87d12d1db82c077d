// EchoDB console: reads the worker's documented JSON endpoints every 2 s and renders them; actions send the admin
// token (kept in sessionStorage, this tab only) as a bearer header. No framework, no inline script (strict CSP).
'use strict';

const TOKEN_KEY = 'echodb.adminToken';
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

function bytes(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + ' GiB';
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MiB';
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + ' KiB';
  return n + ' B';
}

function seconds(s) {
  if (s === null || s === undefined) return '–';
  if (s < 60) return s.toFixed(1) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  return (s / 3600).toFixed(1) + ' h';
}

function badge(text, cls) { return el('span', { class: 'badge ' + cls }, text); }

function renderWorker(w) {
  const role = w.is_leader ? 'leader' : 'follower';
  $('worker').replaceChildren(
    el('strong', { id: 'worker-id' }, w.worker_id), ' · ', badge(role, w.is_leader ? 'ok' : 'in_flight'),
    ' · term ', String(w.term ?? '–'), ' · engine ', w.engine, ' · leadership ', w.leadership);
}

function renderChecks(ready, worker) {
  const checks = Object.entries(ready.checks || {}).map(([name, c]) =>
    el('span', { class: 'check ' + (c.ok ? 'ok' : 'bad'), title: c.detail, 'data-check': name }, name + ': ' + (c.ok ? 'ok' : 'not ok')));
  $('checks').replaceChildren(...checks);
  const breakers = Object.entries(worker.circuit_breakers || {}).map(([name, b]) =>
    el('span', { class: 'check ' + (b.state === 'closed' ? 'ok' : 'bad') }, 'breaker ' + name + ': ' + b.state + ' (' + b.failures + ' failures)'));
  $('breakers').replaceChildren(...breakers);
}

function renderSlot(r) {
  if (!r) { $('slot').replaceChildren('no replication slot (PeerDB engine)'); return; }
  const limit = r.safe_wal_bytes === null ? 'no limit (max_slot_wal_keep_size = -1)' : bytes(r.safe_wal_bytes) + ' left before invalidation';
  $('slot').replaceChildren(
    el('strong', {}, r.slot), ' · wal_status ', badge(r.wal_status, r.wal_status === 'lost' ? 'bad' : 'ok'),
    ' · retains ', el('span', { id: 'retained' }, bytes(r.retained_wal_bytes)), ' · ', limit,
    ' · lag ', el('span', { id: 'lag-seconds' }, seconds(r.lag_seconds)));
}

function renderChart(points) {
  const svg = $('lag-chart');
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  const values = points.map(p => p.lag_seconds ?? 0);
  const max = Math.max(1, ...values);
  if (points.length > 1) {
    const t0 = Date.parse(points[0].at), t1 = Date.parse(points[points.length - 1].at);
    const span = Math.max(1, t1 - t0);
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.map((p, i) =>
      ((Date.parse(p.at) - t0) / span * 590 + 5).toFixed(1) + ',' + (115 - values[i] / max * 100).toFixed(1)).join(' '));
    svg.append(line);
  }
  $('chart-label').textContent = 'peak ' + seconds(Math.max(0, ...values)) + ', ' + points.length + ' samples';
}

function progressCell(m) {
  const s = m.snapshot;
  if (s.done) return 'done';
  const eta = s.eta_seconds === null ? '' : ', ETA ' + seconds(s.eta_seconds);
  return el('span', {}, el('progress', { max: 100, value: s.percent }), ' ', s.percent.toFixed(1) + '% · ',
    s.rows_done + ' of ~' + s.rows_estimated + ' rows · ' + Math.round(s.rows_per_second) + ' rows/s' + eta);
}

function checkCell(c) {
  if (!c) return el('span', { class: 'muted' }, 'not checked yet');
  const keys = (c.differing_keys || []).length ? ' · keys ' + c.differing_keys.slice(0, 5).join(', ') : '';
  return el('span', {}, badge(c.status, c.status), ' ' + c.mode + ' ' + c.postgres_count + ' / ' + c.clickhouse_count + keys);
}

function actionButtons(m) {
  const table = m.source_table.split('.');
  return el('span', {},
    el('button', { type: 'button', 'data-action': 'verify', 'data-mirror': m.name, onclick: () => verify(table[0], table.slice(1).join('.')) }, 'Verify'), ' ',
    el('button', { type: 'button', 'data-action': 'pause', 'data-mirror': m.name, onclick: () => command(m.name, 'pause') }, 'Pause'), ' ',
    el('button', { type: 'button', 'data-action': 'resume', 'data-mirror': m.name, onclick: () => command(m.name, 'resume') }, 'Resume'), ' ',
    el('button', { type: 'button', 'data-action': 'resync', 'data-mirror': m.name, onclick: () => command(m.name, 'resync') }, 'Resync'));
}

function lagCell(m, replication) {
  const secs = replication && m.state === 'running' ? seconds(replication.lag_seconds) + ' · ' : '';
  return secs + bytes(m.lag_bytes);
}

function renderMirrors(list, checks) {
  const byTable = new Map((checks || []).map(c => [c.table, c]));
  const rows = list.mirrors.map(m => el('tr', { 'data-mirror': m.name },
    el('td', {}, m.source_table + ' → ' + m.target_table),
    el('td', { 'data-field': 'state' }, badge(m.state, 'state-' + m.state)),
    el('td', {}, String(m.rows_synced)),
    el('td', {}, lagCell(m, list.replication)),
    el('td', { 'data-field': 'copy' }, progressCell(m)),
    el('td', {}, m.last_error || ''),
    el('td', { 'data-field': 'check' }, checkCell(byTable.get(m.source_table))),
    el('td', {}, actionButtons(m))));
  $('mirrors').tBodies[0].replaceChildren(...rows);
}

function renderActivity(items) {
  $('activity').replaceChildren(...items.map(a =>
    el('li', {}, el('span', { class: 'muted' }, new Date(a.at).toLocaleTimeString() + ' '), a.kind + ': ' + a.subject + (a.detail ? ' — ' + a.detail : ''))));
}

function showAnswer(what, status, body) {
  $('answer').textContent = what + ' → HTTP ' + status + '\n' + JSON.stringify(body, null, 2);
}

async function pollCommand(what, id) {
  for (let i = 0; i < 300; i++) {
    await new Promise(r => setTimeout(r, 1000));
    const r = await getJson('/commands/' + encodeURIComponent(id));
    if (r.body.state !== 'running') { showAnswer(what, r.body.http_status ?? r.status, r.body.result ?? { error: r.body.error }); return; }
  }
}

async function answered(what, r) {
  const body = await r.json().catch(() => ({}));
  if (r.status === 202 && body.command_id) {
    showAnswer(what + ' (accepted, running)', 202, body);
    pollCommand(what, body.command_id);
  } else {
    showAnswer(what, r.status, body);
  }
  refresh();
}

async function verify(schema, table) {
  const what = 'verify ' + schema + '.' + table;
  await answered(what, await fetch('/verify?schema=' + encodeURIComponent(schema) + '&table=' + encodeURIComponent(table), { cache: 'no-store' }));
}

async function verifyAll() {
  await answered('verify all', await fetch('/verify-all', { cache: 'no-store' }));
}

async function command(mirror, action) {
  const headers = {};
  if (token()) headers.Authorization = 'Bearer ' + token();
  await answered(action + ' ' + mirror, await fetch('/mirrors/' + encodeURIComponent(mirror) + '/' + action, { method: 'POST', headers }));
}

function renderTokenState() {
  $('token-state').textContent = token() ? 'admin token set for this tab' : 'read-only (no admin token)';
}

async function refresh() {
  try {
    const [worker, ready, mirrors, history, activity, checks] = await Promise.all([
      getJson('/worker'), getJson('/ready'), getJson('/mirrors'), getJson('/history'), getJson('/activity'), getJson('/consistency')]);
    renderWorker(worker.body);
    renderChecks(ready.body, worker.body);
    renderSlot(mirrors.body.replication);
    renderChart(history.body.samples || []);
    renderMirrors(mirrors.body, checks.body.tables);
    renderActivity(activity.body.events || []);
    $('updated').textContent = 'Last update ' + new Date().toLocaleTimeString() + '.';
  } catch (e) {
    $('updated').textContent = 'Update failed: ' + e;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('token').value.trim();
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    $('token').value = '';
    renderTokenState();
  });
  $('token-forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); renderTokenState(); });
  $('verify-all').addEventListener('click', verifyAll);
  renderTokenState();
  refresh();
  setInterval(refresh, 2000);
});
