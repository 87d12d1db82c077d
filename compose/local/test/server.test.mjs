// End-to-end checks of clickhouse-http.mjs over HTTP: `node --test compose/local/test/`
// (needs chDB installed: compose/local/install.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../clickhouse-http.mjs', import.meta.url));
const USER = 'tester';
const PASSWORD = 's3cret';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let server;
let base;
let dataDir;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickhouse-http-test-'));
  server = spawn(process.execPath,
    [SERVER, '--port', '0', '--data', dataDir, '--user', USER, '--password', PASSWORD],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]);
    });
  });
});

after(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  assert.equal(await exited, 0);
  rmSync(dataDir, { recursive: true, force: true });
});

/** POSTs `body` with the test credentials; `params` become URL parameters. */
function post(body, params = {}, headers = {}) {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return fetch(url, { method: 'POST', body, headers: { Authorization: AUTH, ...headers } });
}

async function text(body, params, headers) {
  const response = await post(body, params, headers);
  const content = await response.text();
  assert.equal(response.status, 200, content);
  return content;
}

test('ping and root answer Ok.', async () => {
  for (const path of ['/ping', '/']) {
    const response = await fetch(new URL(path, base));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'Ok.\n');
  }
});

test('queries in the body or the query parameter, TabSeparated by default', async () => {
  assert.equal(await text('SELECT 1, \'a\''), '1\ta\n');
  const response = await fetch(`${base}/?query=${encodeURIComponent('SELECT 2')}`, { headers: { Authorization: AUTH } });
  assert.equal(await response.text(), '2\n');
  assert.equal(response.headers.get('x-clickhouse-format'), 'TabSeparated');
  assert.equal(response.headers.get('x-clickhouse-timezone'), 'UTC');
  assert.ok(response.headers.get('x-clickhouse-query-id'));
  assert.ok(response.headers.get('x-clickhouse-server-display-name'));
});

test('the output format comes from FORMAT, default_format or X-ClickHouse-Format', async () => {
  let response = await post('SELECT 1 AS x FORMAT JSONEachRow SETTINGS max_threads = 1');
  assert.equal(await response.text(), '{"x":1}\n');
  assert.equal(response.headers.get('x-clickhouse-format'), 'JSONEachRow');
  assert.match(response.headers.get('content-type'), /application\/json/);

  assert.equal(await text('SELECT 1 AS x', { default_format: 'CSVWithNames' }), '"x"\n1\n');
  response = await post('SELECT 7::UInt8 AS x', {}, { 'X-ClickHouse-Format': 'RowBinaryWithNamesAndTypes' });
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.deepEqual([...bytes], [1, 1, 0x78, 5, ...Buffer.from('UInt8'), 7]);
  assert.equal(response.headers.get('content-type'), 'application/octet-stream');
});

test('authentication: Basic, X-ClickHouse-User/Key, user/password parameters; else 403 with code 516', async () => {
  const sql = 'SELECT currentDatabase()';
  const url = new URL(base);
  let response = await fetch(url, { method: 'POST', body: sql, headers: { 'X-ClickHouse-User': USER, 'X-ClickHouse-Key': PASSWORD } });
  assert.equal(response.status, 200);
  url.search = new URLSearchParams({ user: USER, password: PASSWORD }).toString();
  response = await fetch(url, { method: 'POST', body: sql });
  assert.equal(response.status, 200);

  for (const headers of [{}, { Authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` }]) {
    response = await fetch(base, { method: 'POST', body: sql, headers });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-clickhouse-exception-code'), '516');
    assert.match(await response.text(), /^Code: 516\. DB::Exception: .*Authentication failed.*\(AUTHENTICATION_FAILED\) \(version /);
  }
});

test('errors carry the ClickHouse code, name and HTTP status', async () => {
  const cases = [
    ['SELECT * FROM missing_table', 404, 60, 'UNKNOWN_TABLE'],
    ['SELEC 1', 400, 62, 'SYNTAX_ERROR'],
    ['SELECT throwIf(1)', 500, 395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO'],
  ];
  for (const [sql, status, code, name] of cases) {
    const response = await post(sql);
    const body = await response.text();
    assert.equal(response.status, status, body);
    assert.equal(response.headers.get('x-clickhouse-exception-code'), String(code));
    assert.ok(body.startsWith(`Code: ${code}. DB::Exception: `), body);
    assert.ok(body.includes(`(${name}) (version `), body);
  }
  const unknownDb = await post('SELECT 1', { database: 'no_such_db' });
  assert.equal(unknownDb.status, 404);
  assert.equal(unknownDb.headers.get('x-clickhouse-exception-code'), '81');
});

test('GET is read-only', async () => {
  const response = await fetch(`${base}/?query=${encodeURIComponent('CREATE TABLE x (a Int8) ENGINE = Memory')}`,
    { headers: { Authorization: AUTH } });
  assert.equal(response.status, 500);
  assert.equal(response.headers.get('x-clickhouse-exception-code'), '164');
});

test('database from the parameter or the X-ClickHouse-Database header', async () => {
  await text('CREATE DATABASE IF NOT EXISTS db_a');
  await text('CREATE DATABASE IF NOT EXISTS db_b');
  assert.equal(await text('SELECT currentDatabase()', { database: 'db_a' }), 'db_a\n');
  assert.equal(await text('SELECT currentDatabase()', {}, { 'X-ClickHouse-Database': 'db_b' }), 'db_b\n');
  assert.equal(await text('SELECT currentDatabase()'), 'default\n');
});

test('inserts: data after FORMAT in the body, in the body after a query parameter, and VALUES', async () => {
  await text('CREATE TABLE ins (id UInt32, s String) ENGINE = MergeTree ORDER BY id', { database: 'db_a' });
  let response = await post('1\tone\n2\ttwo\n', { database: 'db_a', query: 'INSERT INTO ins FORMAT TabSeparated' });
  assert.equal(response.status, 200, await response.text());
  const summary = JSON.parse(response.headers.get('x-clickhouse-summary'));
  assert.equal(summary.written_rows, '2');
  for (const key of ['read_rows', 'read_bytes', 'written_bytes', 'total_rows_to_read', 'result_rows', 'result_bytes', 'elapsed_ns']) {
    assert.equal(typeof summary[key], 'string', key);
  }

  await text('INSERT INTO `db_a`."ins" (s, id) SETTINGS async_insert = 0 FORMAT CSV\r\n"three",3\n', {});
  await text("(4, 'four'), (5, 'five')", { database: 'db_a', query: 'INSERT INTO ins VALUES' });
  assert.equal(await text('SELECT groupArray(s) FROM (SELECT s FROM ins ORDER BY id)', { database: 'db_a' }),
    "['one','two','three','four','five']\n");
});

test('RowBinary inserts stay byte-exact, also gzip-encoded', async () => {
  await text('CREATE TABLE rb (id UInt64, payload String) ENGINE = MergeTree ORDER BY id', { database: 'db_a' });
  const rows = [];
  for (let id = 0; id < 1000; id++) {
    const payload = Buffer.from([0, 10, 13, 32, 9, id & 0xff]); // NUL, newline, CR, space, tab
    const row = Buffer.alloc(8 + 1 + payload.length);
    row.writeBigUInt64LE(BigInt(id));
    row.writeUInt8(payload.length, 8);
    payload.copy(row, 9);
    rows.push(row);
  }
  const data = Buffer.concat(rows);
  await text(Buffer.concat([Buffer.from('INSERT INTO rb FORMAT RowBinary\n'), data]), { database: 'db_a' });
  await text(gzipSync(data), { database: 'db_a', query: 'INSERT INTO rb FORMAT RowBinary' }, { 'Content-Encoding': 'gzip' });
  assert.equal(await text('SELECT count(), uniqExact(payload), sum(length(payload)) FROM rb', { database: 'db_a' }),
    '2000\t256\t12000\n');
});

test('INSERT ... SELECT ... FROM input() reads the inline data, filtered by its WHERE', async () => {
  await text('CREATE TABLE inp (id UInt64, `pay lóad` String) ENGINE = MergeTree ORDER BY id', { database: 'db_a' });
  const rows = [];
  for (let id = 0; id < 100; id++) {
    const payload = Buffer.from([0, 10, 13, id & 0xff]);
    const row = Buffer.alloc(8 + 1 + payload.length);
    row.writeBigUInt64LE(BigInt(id));
    row.writeUInt8(payload.length, 8);
    payload.copy(row, 9);
    rows.push(row);
  }
  const data = Buffer.concat(rows);
  const head = "INSERT INTO inp (id, `pay lóad`) SELECT id, `pay lóad` FROM input('`id` UInt64, `pay lóad` String')";
  await text(Buffer.concat([Buffer.from(`${head} WHERE id % 2 = 0 FORMAT RowBinary\n`), data]), { database: 'db_a' });
  await text(data, { database: 'db_a', query: `${head} WHERE (SELECT 1) > 2 FORMAT RowBinary` });
  assert.equal(await text('SELECT count(), sum(id), sum(length(`pay lóad`)) FROM inp', { database: 'db_a' }), '50\t2450\t200\n');
});

test('URL settings apply to one request only; unknown ones are ignored', async () => {
  assert.equal(await text("SELECT getSetting('max_threads') = 3", { max_threads: '3', wait_end_of_query: '1', not_a_setting: 'x' }), '1\n');
  assert.equal(await text("SELECT getSetting('max_threads') = 3"), '0\n');
  await text('SET max_block_size = 1234');
  assert.equal(await text("SELECT getSetting('max_block_size') = 1234"), '0\n');
});

test('query parameters bind {name:Type} placeholders', async () => {
  assert.equal(await text('SELECT {n:UInt8} + 1, {s:String}, {a:Array(Int32)}', { param_n: '41', param_s: "it's", param_a: '[1,2]' }),
    "42\tit\\'s\t[1,2]\n");
});

test('concurrent requests are serialized onto the one chDB session', async () => {
  await text('CREATE TABLE conc (db String, n UInt32) ENGINE = MergeTree ORDER BY n');
  const requests = [];
  for (let i = 0; i < 40; i++) {
    const database = i % 2 ? 'db_a' : 'db_b';
    requests.push(post(`INSERT INTO default.conc SELECT currentDatabase(), ${i}`, { database })
      .then(async (r) => assert.equal(r.status, 200, await r.text())));
    requests.push(post('SELECT currentDatabase()', { database }).then(async (r) => assert.equal(await r.text(), `${database}\n`)));
  }
  await Promise.all(requests);
  assert.equal(await text("SELECT count(), countIf(db = 'db_a') FROM conc"), '40\t20\n');
});
