/**
 * Output formats the CLI shares with the tools it imitates: Python's `json.dumps` (for `x509`, so the output is
 * byte-for-byte what `python3 -c "…json.dumps(ssl._ssl._test_decode_cert(f))"` prints) and OpenSSL's one-line
 * distinguished names (`C = DE, O = Example, CN = host`, the `-nameopt oneline` form `openssl verify` prints).
 * @module
 */
import { type Name, oidShortName } from '@sanstls/x509';

/** Python `json.dumps(value)` with its defaults: `", "` / `": "` separators and `ensure_ascii=True`. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  if (typeof value === 'string') return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  throw new TypeError(`cannot serialise ${typeof value}`);
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function pythonJsonString(text: string): string {
  let out = '"';
  // Iterating UTF-16 code units gives Python's surrogate-pair escapes for astral characters.
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** OpenSSL's `-nameopt oneline`: short names, ` = `, `, ` between RDNs, ` + ` inside one, special values quoted. */
export function opensslOneLineName(name: Name): string {
  return name.rdns
    .map((rdn) => rdn.map((atv) => `${oidShortName(atv.oid)} = ${quoteDnValue(atv.value)}`).join(' + '))
    .join(', ');
}

function quoteDnValue(value: string): string {
  // ASN1_STRFLGS_ESC_QUOTE: a value holding RFC 2253 specials is wrapped in quotes instead of backslash-escaped.
  const needsQuotes = /[,+"\\<>;]/.test(value) || /^[ #]/.test(value) || / $/.test(value);
  return needsQuotes ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}
