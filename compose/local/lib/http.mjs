// The HTTP side: ClickHouse's HTTP interface (https://clickhouse.com/docs/interfaces/http)
// as far as clickhouse-jdbc / client-v2 and curl use it.

import { hostname } from 'node:os';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { ClickHouseError, toClickHouseError } from './errors.mjs';
import { isReadOnly, outputFormatOf, statementKind, tokenize } from './sql.mjs';
import { readStatement, removeDataFile } from './body.mjs';

/** URL parameters that belong to the HTTP interface rather than to query settings. */
const INTERFACE_PARAMS = new Set([
  'query', 'query_id', 'database', 'default_format', 'user', 'password', 'quota_key', 'role',
  'session_id', 'session_timeout', 'session_check', 'compress', 'decompress', 'enable_http_compression',
  'buffer_size', 'wait_end_of_query', 'http_wait_end_of_query', 'send_progress_in_http_headers',
  'http_headers_progress_interval_ms', 'http_response_buffer_size', 'client_protocol_version',
  'stacktrace', 'with_stacktrace',
]);

const SERVER_NAME = hostname();

/**
 * @param {object} options
 * @param {import('./engine.mjs').Engine} options.engine
 * @param {string} options.user       the only user
 * @param {string} options.password   its password
 * @param {string} options.tmpDir     where INSERT data is staged
 * @param {(line: string) => void} [options.log]  per-request log, when verbose
 */
export function createHandler({ engine, user, password, tmpDir, log }) {
  const credentials = { user, password };
  return async (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url, 'http://localhost');
    const queryId = url.searchParams.get('query_id') || req.headers['x-clickhouse-query-id'] || randomUUID();
    let outcome = { status: 200, sql: '' };
    try {
      outcome = await route(req, res, url, queryId, { engine, credentials, tmpDir });
    } catch (error) {
      outcome = sendError(res, toClickHouseError(error), engine.version, queryId, error?.sql);
    } finally {
      log?.(requestLine(req, url, outcome, started));
    }
  };
}

async function route(req, res, url, queryId, context) {
  const hasQuery = url.searchParams.has('query');
  if (url.pathname === '/ping' || url.pathname === '/replicas_status' || (req.method !== 'POST' && !hasQuery)) {
    if (url.pathname !== '/ping' && url.pathname !== '/replicas_status' && url.pathname !== '/') {
      throw ClickHouseError.of('BAD_ARGUMENTS', `There is no handler for ${url.pathname}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
    res.end(req.method === 'HEAD' ? undefined : 'Ok.\n');
    return { status: 200, sql: '' };
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    throw ClickHouseError.of('BAD_ARGUMENTS', `HTTP method ${req.method} is not supported`);
  }
  authenticate(req, url, context.credentials);
  return runQuery(req, res, url, queryId, context);
}

async function runQuery(req, res, url, queryId, { engine, tmpDir }) {
  const params = url.searchParams;
  rejectNativeCompression(params);
  let statement;
  try {
    statement = await readStatement(req, params.get('query') || '', tmpDir);
    const { sql } = statement;
    if (!sql.trim()) throw ClickHouseError.of('SYNTAX_ERROR', 'Empty query');

    const kind = statementKind(tokenize(sql, () => true));
    if (req.method === 'GET' && !isReadOnly(kind)) throw readonlyError();

    const format = (kind !== 'INSERT' && /format/i.test(sql) ? outputFormatOf(tokenize(sql)) : null)
      || params.get('default_format') || req.headers['x-clickhouse-format'] || 'TabSeparated';
    const result = await engine.execute({
      sql,
      database: params.get('database') || req.headers['x-clickhouse-database'] || 'default',
      format,
      settings: querySettings(params),
      params: queryParameters(params),
      countWrites: !isReadOnly(kind),
      setNames: kind === 'SET' ? setNames(tokenize(sql)) : [],
    });
    sendResult(res, result, format, queryId);
    return { status: 200, sql, result };
  } catch (error) {
    error.sql = statement?.sql;
    throw error;
  } finally {
    await removeDataFile(statement);
  }
}

/** ClickHouse's own LZ4 framing (compress=1 / decompress=1) is not implemented: fail loudly. */
function rejectNativeCompression(params) {
  for (const name of ['compress', 'decompress']) {
    if (params.get(name) === '1') {
      throw ClickHouseError.of('NOT_IMPLEMENTED',
        `${name}=1 (ClickHouse LZ4 framing) is not supported by this chDB-backed server; use ${name}=0`);
    }
  }
}

function readonlyError() {
  return ClickHouseError.of('READONLY',
    'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. '
    + 'You should use method POST for modifying queries');
}

/** Every URL parameter that is not part of the interface is a ClickHouse setting. */
function querySettings(params) {
  const settings = new Map();
  for (const [name, value] of params) {
    if (!INTERFACE_PARAMS.has(name) && !name.startsWith('param_')) settings.set(name, value);
  }
  return settings;
}

/** `param_x=v` binds the `{x:Type}` placeholder. */
function queryParameters(params) {
  const bound = {};
  for (const [name, value] of params) {
    if (name.startsWith('param_')) bound[name.slice('param_'.length)] = value;
  }
  return bound;
}

/** Setting names assigned by a `SET a = 1, b = 2` statement. */
function setNames(tokens) {
  return tokens.filter((t, i) => t.type === 'word' && i > 0 && tokens[i + 1]?.text === '='
    && (tokens[i - 1].text === ',' || i === 1)).map((t) => t.text);
}

// ---- authentication -------------------------------------------------------

/** Credentials from Basic auth, X-ClickHouse-User/Key headers or user/password parameters. */
function presentedCredentials(req, url) {
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { user: decoded, password: '' }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (req.headers['x-clickhouse-user'] !== undefined || req.headers['x-clickhouse-key'] !== undefined) {
    return { user: req.headers['x-clickhouse-user'] || 'default', password: req.headers['x-clickhouse-key'] || '' };
  }
  return { user: url.searchParams.get('user') || 'default', password: url.searchParams.get('password') || '' };
}

function authenticate(req, url, expected) {
  const given = presentedCredentials(req, url);
  if (given.user === expected.user && sameSecret(given.password, expected.password)) return;
  throw ClickHouseError.of('AUTHENTICATION_FAILED',
    `${given.user}: Authentication failed: password is incorrect, or there is no user with such name`);
}

function sameSecret(a, b) {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---- responses -------------------------------------------------------------

function commonHeaders(queryId) {
  return {
    'X-ClickHouse-Server-Display-Name': SERVER_NAME,
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Timezone': 'UTC',
  };
}

function sendResult(res, result, format, queryId) {
  const body = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
  res.writeHead(200, {
    ...commonHeaders(queryId),
    'Content-Type': contentType(format),
    'X-ClickHouse-Format': format,
    'X-ClickHouse-Summary': JSON.stringify(summary(result, body.length)),
    'Content-Length': body.length,
  });
  res.end(body);
}

/**
 * The X-ClickHouse-Summary header; like ClickHouse, all numbers are strings.
 * For a write, the rows read and the result are the rows written.
 */
function summary(result, resultBytes) {
  const { writtenRows, writtenBytes, wrote } = result;
  return {
    read_rows: String(wrote ? Math.max(writtenRows, result.resultRows) : result.resultRows),
    read_bytes: String(wrote ? Math.max(writtenBytes, result.resultBytes) : result.resultBytes),
    written_rows: String(writtenRows),
    written_bytes: String(writtenBytes),
    total_rows_to_read: '0',
    result_rows: String(wrote ? writtenRows : result.resultRows),
    result_bytes: String(wrote ? writtenBytes : resultBytes),
    elapsed_ns: String(result.elapsedNs),
  };
}

function sendError(res, error, version, queryId, sql) {
  const status = error.httpStatus;
  if (res.headersSent) {
    res.destroy(error);
  } else {
    const body = error.body(version);
    res.writeHead(status, {
      ...commonHeaders(queryId),
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(error.code),
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }
  return { status, sql, error };
}

function contentType(format) {
  const f = format.toLowerCase();
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv')) return `text/csv; charset=UTF-8; header=${f.includes('withnames') ? 'present' : 'absent'}`;
  if (f.startsWith('json')) return 'application/json; charset=UTF-8';
  if (f === 'xml') return 'application/xml; charset=UTF-8';
  if (/^(pretty|vertical|markdown|values|tskv|template|raw|linea)/.test(f)) return 'text/plain; charset=UTF-8';
  return 'application/octet-stream';
}

function requestLine(req, url, outcome, started) {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const sql = (outcome.sql || url.searchParams.get('query') || '').replace(/\s+/g, ' ').slice(0, 200);
  const rows = outcome.result ? ` rows=${outcome.result.resultRows} written=${outcome.result.writtenRows}` : '';
  const failure = outcome.error ? ` error=${outcome.error.code}` : '';
  const params = [...url.searchParams].filter(([name]) => name !== 'query' && name !== 'password')
    .map(([name, value]) => `${name}=${value}`).join('&');
  return `${new Date().toISOString()} ${req.method} ${url.pathname}${params ? `?${params}` : ''} ${outcome.status}${rows}${failure} ${ms.toFixed(1)}ms ${sql}`;
}
