// ClickHouse-style errors: a numeric code, a symbolic name and the HTTP status
// the real server's HTTP handler picks for that code.

export const ERROR_CODES = Object.freeze({
  STD_EXCEPTION: 1001,
  CANNOT_READ_ALL_DATA: 33,
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_DATABASE: 81,
  READONLY: 164,
  AUTHENTICATION_FAILED: 516,
});

// Symbolic error names grouped by the HTTP status ClickHouse answers them with
// (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp); anything else is a 500.
const STATUS_BY_NAME = new Map([
  [401, ['REQUIRED_PASSWORD']],
  [403, ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED']],
  [400, ['BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE',
    'CANNOT_PARSE_QUOTED_STRING', 'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER',
    'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4', 'CANNOT_PARSE_IPV6',
    'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
    'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH',
    'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE']],
  [404, ['UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE',
    'UNKNOWN_DATABASE', 'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION',
    'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE']],
  [413, ['QUERY_IS_TOO_LARGE']],
  [501, ['NOT_IMPLEMENTED']],
  [503, ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK']],
  [411, ['HTTP_LENGTH_REQUIRED']],
  [408, ['TIMEOUT_EXCEEDED']],
  [415, ['UNSUPPORTED_MEDIA_TYPE']],
]);

const STATUS_OF = new Map([...STATUS_BY_NAME].flatMap(([status, names]) => names.map((n) => [n, status])));

export class ClickHouseError extends Error {
  /**
   * @param {number} code   ClickHouse error code, e.g. 60
   * @param {string} name   symbolic name, e.g. UNKNOWN_TABLE
   * @param {string} detail the message without the `Code: N. DB::Exception:` prefix
   */
  constructor(code, name, detail) {
    super(detail);
    this.code = code;
    this.name = name;
  }

  get httpStatus() {
    return STATUS_OF.get(this.name) ?? 500;
  }

  /** The response body, shaped like the real server's. */
  body(version) {
    const named = this.name && !this.message.includes(`(${this.name})`) ? ` (${this.name})` : '';
    const versioned = this.message.includes('(version ') ? '' : ` (version ${version})`;
    return `Code: ${this.code}. DB::Exception: ${this.message}${named}${versioned}\n`;
  }

  static of(name, detail) {
    return new ClickHouseError(ERROR_CODES[name], name, detail);
  }
}

const PREFIX = /^(?:\s*Code: (\d+)\. DB::Exception: )+/;
const TRAILING_NAME = /\(([A-Z][A-Z0-9_]+)\)\s*(?:\(version [^)]*\)\s*)?\.?\s*$/;

/** Converts anything chDB (or Node) threw into a ClickHouseError. */
export function toClickHouseError(error) {
  if (error instanceof ClickHouseError) return error;
  const text = String(error?.message ?? error);
  const prefix = PREFIX.exec(text);
  const code = prefix ? Number(prefix[1]) : Number(error?.clickhouseCode) || ERROR_CODES.STD_EXCEPTION;
  // chDB repeats the name and version once per nesting level of a rethrown error.
  const detail = (prefix ? text.slice(prefix[0].length) : text)
    .replace(/(\(([A-Z][A-Z0-9_]+)\))(?: \(version [^)]*\)\. \(\2\))+/, '$1');
  const name = TRAILING_NAME.exec(detail)?.[1] ?? (prefix ? '' : 'STD_EXCEPTION');
  return new ClickHouseError(code, name, detail);
}
