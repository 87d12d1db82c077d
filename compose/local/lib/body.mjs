// Turns a request (query parameter + body) into the statement to run.
//
// As in ClickHouse, the statement is the `query` parameter, a line break and
// the body. An `INSERT ... FORMAT x` is followed by its data; that data is
// streamed to a temporary file and read back with `FROM INFILE`, which keeps
// binary formats (RowBinary, Native, ...) byte-exact and memory flat. An
// `INSERT ... SELECT ... FROM input('structure') ... FORMAT x` reads the same
// staged file through file() instead (chDB has no input()).

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { quoteString, splitInsert, splitInsertSelect } from './sql.mjs';
import { ClickHouseError } from './errors.mjs';

/** How much of the body is buffered to find where INSERT data begins. */
const HEAD_LIMIT = 1 << 20;

const DECODERS = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/**
 * @returns {Promise<{sql: string, dataFile?: string}>} the statement and, for
 *   an INSERT with data, the temporary file holding it (the caller deletes it).
 */
export async function readStatement(req, queryParam, tmpDir) {
  const prefix = queryParam ? Buffer.from(`${queryParam}\n`, 'utf8') : Buffer.alloc(0);
  if (req.method !== 'POST') return { sql: queryParam };

  const chunks = bodyChunks(req);
  const { head, ended } = await readHead(chunks, prefix);
  const split = splitInsert(head.toString('latin1'));

  if (split && (split.complete || ended)) {
    const dataFile = join(tmpDir, `${randomUUID()}.data`);
    await writeData(dataFile, head.subarray(split.dataStart), ended ? null : chunks);
    const sql = `${head.subarray(0, split.infileAt).toString('utf8')}FROM INFILE ${quoteString(dataFile)} `
      + head.subarray(split.infileAt, split.headEnd).toString('utf8');
    return { sql, dataFile };
  }
  const select = splitInsertSelect(head.toString('latin1'));
  if (select && (select.complete || ended)) {
    // chDB has no input(): the data is staged to a file and read with file() in its place.
    const dataFile = join(tmpDir, `${randomUUID()}.data`);
    await writeData(dataFile, head.subarray(select.dataStart), ended ? null : chunks);
    const text = (from, to) => head.subarray(from, to).toString('utf8');
    const sql = `${text(0, select.inputStart)}file(${quoteString(dataFile)}, ${quoteString(select.format)}, `
      + `${text(select.structureStart, select.structureEnd)})${text(select.inputEnd, select.formatStart)}`;
    return { sql: sql.trimEnd(), dataFile };
  }
  const rest = ended ? [] : await collect(chunks);
  return { sql: Buffer.concat([head, ...rest]).toString('utf8').trimEnd() };
}

/** Deletes a data file written by readStatement, if any. */
export async function removeDataFile(statement) {
  if (statement?.dataFile) await rm(statement.dataFile, { force: true });
}

/** An async iterator over the (decoded) body. */
function bodyChunks(req) {
  const encoding = (req.headers['content-encoding'] || 'identity').trim().toLowerCase();
  if (encoding === 'identity') return req[Symbol.asyncIterator]();
  const decoder = DECODERS[encoding];
  if (!decoder) {
    throw ClickHouseError.of('NOT_IMPLEMENTED', `Unsupported Content-Encoding: ${encoding}`);
  }
  return req.pipe(decoder())[Symbol.asyncIterator]();
}

/** Reads until HEAD_LIMIT bytes (prefix included) are buffered or the body ends. */
async function readHead(chunks, prefix) {
  const parts = [prefix];
  let size = prefix.length;
  while (size < HEAD_LIMIT) {
    const { value, done } = await chunks.next();
    if (done) return { head: Buffer.concat(parts), ended: true };
    parts.push(value);
    size += value.length;
  }
  return { head: Buffer.concat(parts), ended: false };
}

async function collect(chunks) {
  const parts = [];
  for (let r = await chunks.next(); !r.done; r = await chunks.next()) parts.push(r.value);
  return parts;
}

async function writeData(file, first, chunks) {
  async function* data() {
    if (first.length > 0) yield first;
    if (!chunks) return;
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) yield r.value;
  }
  try {
    await pipeline(data(), createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw ClickHouseError.of('CANNOT_READ_ALL_DATA', `Cannot read the INSERT data: ${error.message}`);
  }
}
