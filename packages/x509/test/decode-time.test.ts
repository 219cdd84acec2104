/**
 * certTimeToSeconds against python3's ssl.cert_time_to_seconds, and its round trip with the dict's
 * notBefore/notAfter format.
 */
import { execFileSync } from 'node:child_process';
import { certTimeToSeconds, X509ParseError } from '@sanstls/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asn1TimeText } from '../src/parse/decode.js';
import { havePython } from './decode-oracle.js';

const inputs = [
  'Jan  5 09:34:43 2018 GMT',
  'Jan 05 09:34:43 2018 GMT',
  'jan 5 9:4:3 2018 gmt',
  'JAN 5 09:34:43 2018 GMT',
  'Feb 29 12:00:00 2024 GMT',
  'Feb 29 12:00:00 2023 GMT',
  'Feb 31 00:00:00 2021 GMT',
  'Dec 31 23:59:59 2049 GMT',
  'Dec 31 23:59:60 2049 GMT',
  'Dec 31 23:59:61 2049 GMT',
  'Dec 31 23:59:62 2049 GMT',
  'Jan  1 00:00:00 1970 GMT',
  'Dec 31 23:59:59 1969 GMT',
  'Jan  1 00:00:00 0001 GMT',
  'Jan  1 00:00:00 0000 GMT',
  'Dec 31 23:59:59 9999 GMT',
  'Jan  1 00:00:00 99999 GMT',
  'Jan 32 00:00:00 2018 GMT',
  'Jan  0 00:00:00 2018 GMT',
  'Jan  1 24:00:00 2018 GMT',
  'Jan  1 00:60:00 2018 GMT',
  'Jan  1 00:00:00 2018 UTC',
  'Jan  1 00:00:00 2018',
  'Jan  1 00:00:00 2018 GMT ',
  'Jan  1 00:00:00 2018 GMTx',
  'Jan1 00:00:00 2018 GMT',
  'Jan   1   00:00:00   2018   GMT',
  'Jan\t1 00:00:00 2018\tGMT',
  ' Jan 1 00:00:00 2018 GMT',
  'Foo  1 00:00:00 2018 GMT',
  'Janu 1 00:00:00 2018 GMT',
  'Jan  1 0:0:0 2018 GMT',
  'Jan  1 000:00:00 2018 GMT',
  'Jan  1 00:00:00 18 GMT',
  '',
  'Jan',
];

function pythonCertTimes(texts: string[]): (number | null)[] {
  const script = `
import json, ssl, sys
out = []
for t in json.load(sys.stdin):
    try:
        out.append(ssl.cert_time_to_seconds(t))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts) }).toString('utf8'));
}

describe.skipIf(!havePython)('certTimeToSeconds against python3', () => {
  const expected = havePython ? pythonCertTimes(inputs) : [];
  it.each(inputs.map((text, i) => [JSON.stringify(text), i] as const))('%s', (_label, i) => {
    const want = expected[i];
    const text = inputs[i] as string;
    if (want === null) expect(() => certTimeToSeconds(text)).toThrow(X509ParseError);
    else expect(certTimeToSeconds(text)).toBe(want);
  });
});

describe('certTimeToSeconds and the notBefore/notAfter format', () => {
  // ASN1_TIME_print writes the year with %d, so years before 1000 come out with fewer than four digits
  // and Python's own cert_time_to_seconds (%Y wants four) cannot read them back.
  it('round-trips every second from year 1000 to 9999', () => {
    const min = -30610224000; // 1000-01-01T00:00:00Z
    const max = 253402300799; // 9999-12-31T23:59:59Z
    fc.assert(
      fc.property(fc.integer({ min, max }), (seconds) => {
        expect(certTimeToSeconds(asn1TimeText(seconds * 1000))).toBe(seconds);
      }),
      { numRuns: 2000 },
    );
  });

  it('pads the day with a space as ASN1_TIME_print does', () => {
    expect(asn1TimeText(Date.UTC(2018, 0, 5, 9, 34, 43))).toBe('Jan  5 09:34:43 2018 GMT');
    expect(asn1TimeText(Date.UTC(2049, 11, 31, 23, 59, 59))).toBe('Dec 31 23:59:59 2049 GMT');
    expect(() => certTimeToSeconds(asn1TimeText(Date.UTC(999, 0, 1)))).toThrow(X509ParseError);
  });
});
