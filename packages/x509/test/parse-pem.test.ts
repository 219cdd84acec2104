/**
 * PEM framing and Python's PEM/DER converters; python3's `ssl` module is the oracle for the converters.
 */
import { execFileSync } from 'node:child_process';
import { DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, pemBlocks, SSLError, X509ParseError } from '@sanstls/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '../src/parse/pem.js';
import { havePython } from './decode-oracle.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const block = (label: string, bytes: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${(b64(bytes).match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

describe('base64', () => {
  it('round-trips and agrees with Node for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(base64Encode(bytes)).toBe(b64(bytes));
        expect(base64Decode(b64(bytes))).toEqual(bytes);
      }),
    );
  });

  it.each([
    ['a character outside the alphabet', 'QUJD!A=='],
    ['a missing padding character', 'QUI'],
    ['padding in the middle', 'QQ==QUJD'],
    ['three padding characters', 'Q==='],
    ['a lone final character', 'QUJDR'],
    ['non-zero bits under the padding', 'QR=='],
    ['non-ASCII text', 'QUJD\u00e9A=='],
  ])('rejects %s', (_what, text) => {
    expect(() => base64Decode(text)).toThrow(X509ParseError);
  });

  it('skips whitespace anywhere, as PEM bodies wrap lines', () => {
    expect(base64Decode(' QU\r\nJD\tRA= =\n')).toEqual(new TextEncoder().encode('ABCD'));
  });
});

describe('pemBlocks', () => {
  const a = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05);
  const b = new Uint8Array(100).map((_, i) => i);

  it('finds every block in order and ignores text between, before and after them', () => {
    const text = `Bag Attributes\n  friendlyName: x\nsubject=/CN=a\n${block('CERTIFICATE', a)}junk line\n\n${block('PRIVATE KEY', b)}trailer`;
    const blocks = pemBlocks(text);
    expect(blocks.map((x) => x.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
    expect(blocks[0]?.der).toEqual(a);
    expect(blocks[1]?.der).toEqual(b);
  });

  it('accepts CRLF line endings and labels with spaces', () => {
    const text = block('X509 CRL', b).replace(/\n/g, '\r\n');
    expect(pemBlocks(text)).toEqual([{ label: 'X509 CRL', der: b, headers: [] }]);
  });

  it('returns RFC 1421 headers of legacy encrypted keys', () => {
    const text = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n${b64(b)}\n-----END RSA PRIVATE KEY-----\n`;
    const [only] = pemBlocks(text);
    expect(only?.headers).toEqual([
      ['Proc-Type', '4,ENCRYPTED'],
      ['DEK-Info', 'AES-128-CBC,00112233445566778899AABBCCDDEEFF'],
    ]);
    expect(only?.der).toEqual(b);
  });

  it('returns nothing for text without blocks', () => {
    expect(pemBlocks('no pem here')).toEqual([]);
  });

  it.each([
    ['a missing END line', `-----BEGIN CERTIFICATE-----\n${b64(a)}\n`],
    ['an END line with another label', `-----BEGIN CERTIFICATE-----\n${b64(a)}\n-----END PRIVATE KEY-----\n`],
    ['bad base64 inside a block', `-----BEGIN CERTIFICATE-----\n${b64(a)}*\n-----END CERTIFICATE-----\n`],
    [
      'headers without the empty line',
      `-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n-----END CERTIFICATE-----\n`,
    ],
  ])('raises an SSLError for %s', (_what, text) => {
    expect(() => pemBlocks(text)).toThrow(SSLError);
  });
});

/** Python's results for the converters, computed in one process. */
function pythonConverters(
  ders: Uint8Array[],
  pems: string[],
): { toPem: string[]; toDer: ({ ok: string } | { error: string })[] } {
  const script = `
import base64, json, ssl, sys
data = json.load(sys.stdin)
to_pem = [ssl.DER_cert_to_PEM_cert(base64.b64decode(d)) for d in data["ders"]]
to_der = []
for p in data["pems"]:
    try:
        to_der.append({"ok": base64.b64encode(ssl.PEM_cert_to_DER_cert(p)).decode()})
    except Exception as e:
        to_der.append({"error": type(e).__name__})
json.dump({"toPem": to_pem, "toDer": to_der}, sys.stdout)
`;
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify({ ders: ders.map(b64), pems }) });
  return JSON.parse(out.toString('utf8'));
}

describe.skipIf(!havePython)('DER_cert_to_PEM_cert / PEM_cert_to_DER_cert against python3', () => {
  const ders = [0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000].map((n) =>
    new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff),
  );
  const cert = ders[10] as Uint8Array;
  const pem = DER_cert_to_PEM_cert(cert);
  const pems = [
    pem,
    `${pem}\n\n  `,
    pem.replace(/\n/g, '\r\n'),
    `  ${pem}`,
    pem.replace('-----END CERTIFICATE-----', ''),
    pem.replace('BEGIN CERTIFICATE', 'BEGIN X509 CERTIFICATE'),
    `junk\n${pem}`,
  ];
  const expected = havePython ? pythonConverters(ders, pems) : { toPem: [], toDer: [] };

  it('writes PEM exactly as Python does (64-column lines, final newline)', () => {
    expect(ders.map((d) => DER_cert_to_PEM_cert(d))).toEqual(expected.toPem);
  });

  it('reads PEM as Python does, raising an SSLError where Python raises ValueError', () => {
    pems.forEach((text, i) => {
      const want = expected.toDer[i];
      if (want !== undefined && 'ok' in want) expect(b64(PEM_cert_to_DER_cert(text))).toBe(want.ok);
      else {
        expect(want).toEqual({ error: 'ValueError' });
        expect(() => PEM_cert_to_DER_cert(text)).toThrow(SSLError);
      }
    });
  });

  it("is strict where Python's base64 decoder is lenient", () => {
    expect(() => PEM_cert_to_DER_cert(pem.replace('\n', '\n*'))).toThrow(X509ParseError);
  });
});
