// The chDB side: one Session (one embedded connection with one current
// database and one set of session settings) shared by every HTTP request.
// Requests are therefore run strictly one after another, and each one first
// puts the connection into the state the request asks for.

import { toClickHouseError } from './errors.mjs';
import { quoteIdentifier, quoteString } from './sql.mjs';

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Engine {
  #session;
  #tail = Promise.resolve();
  /** Settings currently SET on the connection on behalf of a request: name -> value. */
  #applied = new Map();
  /** Names chDB rejected as unknown; they are ignored from then on. */
  #unknownSettings = new Set();
  #log;

  constructor(session, version, log) {
    this.#session = session;
    this.version = version;
    this.#log = log;
  }

  /** Opens (or creates) the chDB data directory. */
  static async open(dataDir, log = () => {}) {
    const { Session } = await import('chdb');
    const session = new Session(dataDir);
    const version = (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
    return new Engine(session, version, log);
  }

  /**
   * Runs one statement for a request.
   * @param {object} request
   * @param {string} request.sql            the statement
   * @param {string} request.database       current database for this statement
   * @param {string} request.format         output format
   * @param {Map<string,string>} request.settings  ClickHouse settings from the URL
   * @param {object} [request.params]       values for {name:Type} placeholders
   * @param {boolean} [request.countWrites] measure written rows/bytes
   * @param {string[]} [request.setNames]   settings the statement itself SETs
   * @returns {Promise<{bytes: Uint8Array, resultRows: number, resultBytes: number,
   *   writtenRows: number, writtenBytes: number, wrote: boolean, elapsedNs: bigint}>}
   */
  execute(request) {
    return this.#serialize(async () => {
      try {
        return await this.#run(request);
      } catch (error) {
        throw toClickHouseError(error);
      }
    });
  }

  /** Waits for running statements, then releases the connection. */
  async close() {
    await this.#serialize(() => {});
    this.#session.close();
  }

  #serialize(task) {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => {});
    return run;
  }

  async #run({ sql, database, format, settings, params, countWrites, setNames = [] }) {
    await this.#query(`USE ${quoteIdentifier(database || 'default')}`);
    await this.#applySettings(settings);
    const before = countWrites ? await this.#insertCounters() : null;

    const started = process.hrtime.bigint();
    const result = params && Object.keys(params).length > 0
      ? await this.#session.queryBindAsync(sql, params, { format })
      : await this.#session.queryAsync(sql, { format });
    const elapsedNs = process.hrtime.bigint() - started;

    // A SET inside a request must not outlive it, as over real stateless HTTP.
    for (const name of setNames) this.#applied.set(name, undefined);

    const after = countWrites ? await this.#insertCounters() : null;
    return {
      bytes: result.bytes(),
      resultRows: result.rowsRead,
      resultBytes: result.bytesRead,
      writtenRows: after ? after.rows - before.rows : 0,
      writtenBytes: after ? after.bytes - before.bytes : 0,
      wrote: Boolean(countWrites),
      elapsedNs,
    };
  }

  #query(sql) {
    return this.#session.queryAsync(sql, { format: 'TabSeparated' });
  }

  /**
   * Brings the connection's settings to exactly `wanted` (plus chDB defaults):
   * sets what changed and resets what an earlier request left behind.
   */
  async #applySettings(wanted) {
    const changes = [];
    for (const name of this.#applied.keys()) {
      if (!wanted.has(name)) changes.push([name, undefined]);
    }
    for (const [name, value] of wanted) {
      if (!SETTING_NAME.test(name) || this.#unknownSettings.has(name)) continue;
      if (this.#applied.get(name) !== value) changes.push([name, value]);
    }
    if (changes.length === 0) return;
    try {
      await this.#set(changes);
    } catch {
      // Find out which one failed: unknown settings are ignored (the client
      // may target a newer server), other failures are the request's error.
      for (const change of changes) await this.#setOne(change);
    }
  }

  async #set(changes) {
    const assignments = changes.map(([n, v]) => `${n} = ${v === undefined ? 'DEFAULT' : quoteString(v)}`);
    await this.#query(`SET ${assignments.join(', ')}`);
    for (const [name, value] of changes) {
      if (value === undefined) this.#applied.delete(name);
      else this.#applied.set(name, value);
    }
  }

  async #setOne(change) {
    try {
      await this.#set([change]);
    } catch (error) {
      const failure = toClickHouseError(error);
      if (failure.name !== 'UNKNOWN_SETTING') throw failure;
      this.#unknownSettings.add(change[0]);
      this.#applied.delete(change[0]);
      this.#log(`ignoring unknown setting ${change[0]}`);
    }
  }

  /** Process-wide insert counters; all statements are serialized, so a delta is one statement's. */
  async #insertCounters() {
    const result = await this.#query(
      "SELECT sumIf(value, event = 'InsertedRows'), sumIf(value, event = 'InsertedBytes') FROM system.events");
    const [rows, bytes] = result.text().trim().split('\t').map(Number);
    return { rows: rows || 0, bytes: bytes || 0 };
  }
}
