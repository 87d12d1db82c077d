// Just enough SQL lexing to route HTTP requests the way ClickHouse's HTTP
// handler does: find the statement kind, a trailing `FORMAT x` clause and the
// point where inline INSERT data begins. It never validates SQL; chDB does.

/** Letters, digits, `_` and `$` (char codes; this runs over multi-megabyte statements). */
function isWordChar(code) {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)
    || code === 95 || code === 36;
}

function isSpace(code) {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Splits `text` into tokens, skipping whitespace and comments.
 * Each token is `{ type, text, start, end, depth }` where type is one of
 * `word`, `quoted` (a back-tick or double-quoted identifier), `string` or
 * `punct`, and depth is the parenthesis depth the token starts at.
 *
 * `stop(token, tokens)` may return true to end lexing right after a token; this
 * is how an INSERT head is separated from arbitrary (even binary) data.
 */
export function tokenize(text, stop = () => false) {
  const tokens = [];
  let i = 0;
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (isSpace(code)) { i++; continue; }
    if (c === '-' && text[i + 1] === '-') { i = skipLine(text, i); continue; }
    if (c === '#' && (text[i + 1] === ' ' || text[i + 1] === '!')) { i = skipLine(text, i); continue; }
    if (c === '/' && text[i + 1] === '*') { i = skipBlockComment(text, i); continue; }

    let end;
    let type;
    if (c === '\'') { type = 'string'; end = skipQuoted(text, i, '\''); }
    else if (c === '`' || c === '"') { type = 'quoted'; end = skipQuoted(text, i, c); }
    else if (isWordChar(code)) {
      type = 'word';
      end = i + 1;
      while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    }
    else { type = 'punct'; end = i + 1; }

    if (c === ')') depth = Math.max(0, depth - 1);
    const token = { type, text: text.slice(i, end), start: i, end, depth };
    if (c === '(') depth++;
    tokens.push(token);
    i = end;
    if (stop(token, tokens)) break;
  }
  return tokens;
}

function skipLine(text, i) {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

function skipBlockComment(text, i) {
  const close = text.indexOf('*/', i + 2);
  return close < 0 ? text.length : close + 2;
}

/** Index just past a quoted token; handles backslash escapes and doubled quotes. */
function skipQuoted(text, i, quote) {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') { j += 2; continue; }
    if (c === quote) {
      if (text[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return text.length;
}

const isWord = (token, word) => token && token.type === 'word' && token.text.toUpperCase() === word;

/** Upper-cased first keyword: SELECT, INSERT, CREATE, ... (`(` counts as SELECT). */
export function statementKind(tokens) {
  const first = tokens[0];
  if (!first) return '';
  if (first.type === 'punct' && first.text === '(') return 'SELECT';
  return first.type === 'word' ? first.text.toUpperCase() : '';
}

const READ_ONLY_KINDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN', 'CHECK', 'USE', 'SET']);

/** True for statements that cannot write data (no written_rows accounting needed, allowed over GET). */
export function isReadOnly(kind) {
  return READ_ONLY_KINDS.has(kind);
}

/**
 * The format named by a trailing `FORMAT x` clause of a query (not of an
 * INSERT, whose FORMAT names the input). Only a FORMAT at parenthesis depth 0
 * followed by the end, `SETTINGS` or `;` counts, so a column called `format`
 * is not mistaken for the clause.
 */
export function outputFormatOf(tokens) {
  if (statementKind(tokens) === 'INSERT') return null;
  for (let i = tokens.length - 2; i >= 0; i--) {
    const t = tokens[i];
    if (t.depth !== 0 || !isWord(t, 'FORMAT')) continue;
    const name = tokens[i + 1];
    const after = tokens[i + 2];
    const closes = !after || isWord(after, 'SETTINGS') || after.text === ';';
    if (name.type === 'word' && closes) return name.text;
  }
  return null;
}

/**
 * Looks for `INSERT INTO ... FORMAT x` at the start of `text` (a latin1 view of
 * the request bytes, so string indexes equal byte offsets). Returns null for
 * anything else, including INSERT ... VALUES / SELECT, which chDB runs as
 * plain SQL. Otherwise returns byte offsets:
 *  - `headEnd`: end of the statement (just after the format name),
 *  - `dataStart`: where the inline data begins,
 *  - `infileAt`: where `FROM INFILE 'file'` goes to read the data from a file
 *    instead (before `SETTINGS ...` if present, else before `FORMAT`),
 * plus `complete`: false when the text ends too early to be sure of them.
 *
 * Like ClickHouse, data starts after the format name and the blanks that
 * follow it, up to and including one line break.
 */
export function splitInsert(text) {
  let formatAt = -1;
  const tokens = tokenize(text, (token, all) => {
    if (all.length === 1 && !isWord(token, 'INSERT')) return true;
    if (formatAt >= 0) return true; // the format name: data follows
    if (token.depth !== 0) return false;
    if (isWord(token, 'VALUES') || isWord(token, 'SELECT') || isWord(token, 'WITH')) return true;
    if (isWord(token, 'FORMAT')) formatAt = all.length - 1;
    return false;
  });
  if (formatAt < 0 || statementKind(tokens) !== 'INSERT') return null;
  const name = tokens[formatAt + 1];
  if (!name || name.type !== 'word') return null;

  const dataStart = dataStartAfter(text, name.end);

  const settings = tokens.find((t) => t.depth === 0 && isWord(t, 'SETTINGS'));
  return {
    headEnd: name.end,
    dataStart,
    infileAt: (settings ?? tokens[formatAt]).start,
    complete: dataStart < text.length,
  };
}

/**
 * Looks for `INSERT INTO ... SELECT ... FROM input('structure') ... FORMAT x`
 * at the start of `text`: an INSERT that reads its inline data through the
 * `input()` table function (used to insert rows conditionally). Returns null
 * for anything else. Otherwise returns byte offsets: `inputStart`/`inputEnd`
 * around `input('...')`, `structureStart`/`structureEnd` around its string literal, `formatStart`
 * (the FORMAT keyword), `headEnd` (just after the format name), `dataStart`,
 * `format` (the name) and `complete` as in splitInsert.
 */
export function splitInsertSelect(text) {
  let formatAt = -1;
  let inputAt = -1;
  const tokens = tokenize(text, (token, all) => {
    if (all.length === 1 && !isWord(token, 'INSERT')) return true;
    if (formatAt >= 0) return true; // the format name: data follows
    const n = all.length;
    if (n >= 4 && all[n - 4].type === 'word' && all[n - 4].text.toLowerCase() === 'input'
      && all[n - 3].text === '(' && all[n - 2].type === 'string' && token.text === ')') inputAt = n - 4;
    if (token.depth === 0 && inputAt >= 0 && isWord(token, 'FORMAT')) formatAt = n - 1;
    return false;
  });
  if (formatAt < 0 || inputAt < 0 || statementKind(tokens) !== 'INSERT') return null;
  const name = tokens[formatAt + 1];
  if (!name || name.type !== 'word') return null;

  const dataStart = dataStartAfter(text, name.end);
  return {
    inputStart: tokens[inputAt].start,
    inputEnd: tokens[inputAt + 3].end,
    structureStart: tokens[inputAt + 2].start,
    structureEnd: tokens[inputAt + 2].end,
    formatStart: tokens[formatAt].start,
    headEnd: name.end,
    dataStart,
    format: name.text,
    complete: dataStart < text.length,
  };
}

/**
 * Like ClickHouse, inline data starts after the format name and the blanks that
 * follow it, up to and including one line break.
 */
function dataStartAfter(text, formatNameEnd) {
  let i = formatNameEnd;
  while (i < text.length && ' \t\f'.includes(text[i])) i++;
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

/** A ClickHouse string literal. */
export function quoteString(value) {
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A ClickHouse back-tick quoted identifier. */
export function quoteIdentifier(name) {
  return `\`${String(name).replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}
