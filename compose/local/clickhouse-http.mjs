#!/usr/bin/env node
// A ClickHouse HTTP endpoint backed by chDB (ClickHouse embedded in-process),
// for tests and the local stack on machines without Docker. It speaks enough
// of the HTTP interface for clickhouse-jdbc / client-v2 and curl.
//
//   node clickhouse-http.mjs --data <dir> [--port 8123] [--host 127.0.0.1]
//        [--user default] [--password ''] [--verbose] [--stop-on-stdin-eof]
//
// --stop-on-stdin-eof lets a parent process (a test JVM) tie the server's life
// to its own: the server stops when its standard input is closed.
//
// Every option can also come from the environment: CLICKHOUSE_HTTP_PORT,
// CLICKHOUSE_LISTEN_HOST, CLICKHOUSE_DATA_DIR, CLICKHOUSE_USER,
// CLICKHOUSE_PASSWORD, CLICKHOUSE_VERBOSE=1.

import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// ClickHouse reads TZ when the engine loads; the server reports UTC, so run in UTC.
process.env.TZ = 'UTC';

const USAGE = 'usage: clickhouse-http.mjs --data <dir> [--port 8123] [--host 127.0.0.1] '
  + '[--user default] [--password <secret>] [--verbose] [--stop-on-stdin-eof]';

function options() {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: env.CLICKHOUSE_HTTP_PORT ?? '8123' },
      host: { type: 'string', default: env.CLICKHOUSE_LISTEN_HOST ?? '127.0.0.1' },
      data: { type: 'string', default: env.CLICKHOUSE_DATA_DIR },
      user: { type: 'string', default: env.CLICKHOUSE_USER ?? 'default' },
      password: { type: 'string', default: env.CLICKHOUSE_PASSWORD ?? '' },
      verbose: { type: 'boolean', default: env.CLICKHOUSE_VERBOSE === '1' },
      'stop-on-stdin-eof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) exit(0, USAGE);
  if (!values.data) exit(2, `--data is required\n${USAGE}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) exit(2, `invalid --port ${values.port}`);
  return { ...values, port, data: resolve(values.data) };
}

function exit(code, message) {
  (code === 0 ? process.stdout : process.stderr).write(`${message}\n`);
  process.exit(code);
}

async function main() {
  const opts = options();
  const log = (line) => process.stderr.write(`${line}\n`);
  mkdirSync(opts.data, { recursive: true });
  const tmpDir = mkdtempSync(join(tmpdir(), 'echodb-clickhouse-http-'));

  // Imported late so that TZ above is in effect when the engine initialises.
  const { Engine } = await import('./lib/engine.mjs');
  const { createHandler } = await import('./lib/http.mjs');
  const engine = await Engine.open(opts.data, opts.verbose ? log : undefined);

  const server = createServer(createHandler({
    engine,
    user: opts.user,
    password: opts.password,
    tmpDir,
    log: opts.verbose ? log : undefined,
  }));
  // Longer than client-v2's idle connection reuse, so pooled connections are not cut under it.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0; // large inserts may take a while to upload

  server.on('error', (error) => exit(1, `cannot listen on ${opts.host}:${opts.port}: ${error.message}`));
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    process.stdout.write(`chDB ${engine.version} listening on http://${opts.host}:${port} (data: ${opts.data})\n`);
  });

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    server.close();
    server.closeIdleConnections();
    await engine.close();
    rmSync(tmpDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (opts['stop-on-stdin-eof']) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin closed'));
    process.stdin.resume();
  }
}

main().catch((error) => exit(1, `clickhouse-http failed to start: ${error?.stack ?? error}`));
