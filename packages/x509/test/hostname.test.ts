/**
 * matchHostname against Python's own `ssl.match_hostname` (same algorithm in 3.7–3.11) as the oracle,
 * plus the verifyChain-side checks (checkHostname / checkIp / checkEmail) and IP text handling.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Certificate, GeneralName, Name } from '../src/index.js';
import {
  CertificateError,
  checkEmail,
  checkHostname,
  checkIp,
  formatIpAddress,
  matchHostname,
  parseIpAddress,
} from '../src/index.js';

type Dict = { subject?: [string, string][][]; subjectAltName?: [string, string][] };
const san = (...entries: [string, string][]): Dict => ({
  subjectAltName: entries,
  subject: [[['commonName', 'cn.example.com']]],
});
const cnOnly = (...cns: string[]): Dict => ({ subject: cns.map((cn) => [['commonName', cn]]) });

const CASES: [Dict, string][] = [
  [san(['DNS', 'example.com']), 'example.com'],
  [san(['DNS', 'example.com']), 'EXAMPLE.com'],
  [san(['DNS', 'example.com']), 'www.example.com'],
  [san(['DNS', '*.example.com']), 'www.example.com'],
  [san(['DNS', '*.example.com']), 'example.com'],
  [san(['DNS', '*.example.com']), 'a.b.example.com'],
  [san(['DNS', '*.example.com']), '.example.com'],
  [san(['DNS', 'w*.example.com']), 'www.example.com'],
  [san(['DNS', '*.*.example.com']), 'a.b.example.com'],
  [san(['DNS', 'www.*.com']), 'www.example.com'],
  [san(['DNS', '*']), 'example'],
  [san(['DNS', 'xn--*.example.com']), 'xn--bcher-kva.example.com'],
  [san(['DNS', '*.example.com']), 'xn--bcher-kva.example.com'],
  [san(['DNS', 'a.example.com'], ['DNS', 'b.example.com']), 'c.example.com'],
  [san(['DNS', 'a.example.com'], ['DNS', 'b.example.com']), 'b.example.com'],
  [san(['IP Address', '127.0.0.1']), '127.0.0.1'],
  [san(['IP Address', '127.0.0.1']), '127.0.0.2'],
  [san(['IP Address', '2001:DB8:0:0:0:0:0:1\n']), '2001:db8::1'],
  [san(['IP Address', '2001:DB8:0:0:0:0:0:1']), '2001:db8::2'],
  [san(['DNS', '127.0.0.1']), '127.0.0.1'],
  [san(['IP Address', '127.0.0.1']), '127.1'],
  [san(['DNS', '127.1']), '127.1'],
  [san(['email', 'a@example.com']), 'example.com'],
  [cnOnly('example.com'), 'example.com'],
  [cnOnly('example.com'), 'other.com'],
  [cnOnly('a.example.com', 'b.example.com'), 'b.example.com'],
  [cnOnly('a.example.com', "it's.example.com"), 'c.example.com'],
  [{ subject: [[['organizationName', 'Example']]] }, 'example.com'],
  [{ subject: [], subjectAltName: [['URI', 'https://example.com/']] }, 'example.com'],
];

/** Python's verdict for each case: 'ok' or the CertificateError message. */
function pythonVerdicts(cases: [Dict, string][]): string[] {
  const script = `
import json, ssl, sys, warnings
warnings.simplefilter('ignore')
out = []
for cert, host in json.load(sys.stdin):
    cert = {k: tuple(tuple(tuple(x) for x in r) for r in v) if k == 'subject' else tuple(tuple(x) for x in v) for k, v in cert.items()}
    try:
        ssl.match_hostname(cert, host)
        out.append('ok')
    except ssl.CertificateError as e:
        out.append(e.args[0])
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases) }).toString()) as string[];
}

let python: string[] | undefined;
try {
  python = pythonVerdicts(CASES);
} catch (e) {
  console.log(
    `hostname: python3 ssl.match_hostname oracle unavailable (${(e as Error).message}); oracle comparison skipped`,
  );
}

describe('matchHostname (Python 3.7 semantics)', () => {
  it.skipIf(python === undefined)('agrees with python3 ssl.match_hostname on every case, messages included', () => {
    const ours = CASES.map(([cert, host]) => {
      try {
        matchHostname(cert, host);
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(CertificateError);
        return (e as Error).message;
      }
    });
    expect(ours).toEqual(python);
  });

  it('never consults the commonName when hostnameChecksCommonName is false', () => {
    expect(() => matchHostname(cnOnly('example.com'), 'example.com', { hostnameChecksCommonName: false })).toThrow(
      'no appropriate commonName or subjectAltName fields were found',
    );
  });

  it('rejects an empty certificate dict', () => {
    expect(() => matchHostname({}, 'example.com')).toThrow(/empty or no certificate/);
  });
});

describe('IP address text', () => {
  it('parses strict IPv4 and IPv6 forms and refuses aliases', () => {
    expect(parseIpAddress('192.0.2.1')).toEqual(Uint8Array.of(192, 0, 2, 1));
    for (const bad of [
      '192.0.2',
      '192.0.2.01',
      '0xc0.0.2.1',
      '192.0.2.256',
      '1.2.3.4 ',
      '::1::',
      '1:2:3:4:5:6:7:8:9',
      'fe80::1%eth0',
      '',
    ]) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
    expect(parseIpAddress('::')).toEqual(new Uint8Array(16));
    expect(parseIpAddress('::ffff:192.0.2.1')).toEqual(
      Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1),
    );
    expect(parseIpAddress('2001:DB8:0:0:0:0:0:1')).toEqual(parseIpAddress('2001:db8::1'));
  });

  it('formats IPv6 canonically (RFC 5952) and round-trips through Python ipaddress', () => {
    const samples = [
      '2001:db8::1',
      '2001:db8:0:0:1:0:0:1',
      '::',
      '::1',
      '1::',
      'fe80::1:2:3:4',
      '2001:db8:0:1:1:1:1:1',
      '1:0:0:2:0:0:0:3',
    ];
    const ours = samples.map((s) => formatIpAddress(parseIpAddress(s) as Uint8Array));
    const oracle = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          'import ipaddress,json,sys; print(json.dumps([str(ipaddress.ip_address(s)) for s in json.load(sys.stdin)]))',
        ],
        {
          input: JSON.stringify(samples),
        },
      ).toString(),
    ) as string[];
    expect(ours).toEqual(oracle);
  });
});

/** A Certificate with only the fields the identity checks read. */
function fakeLeaf(sans: GeneralName[] | undefined, subject: [string, string][] = []): Certificate {
  const name: Name = {
    rdns: subject.map(([oid, value]) => [{ oid, valueTag: 0x0c, value, rawValue: new Uint8Array() }]),
    der: new Uint8Array(),
  };
  return { subjectAltName: sans, subject: name } as unknown as Certificate;
}

describe('verifyChain identity checks (OpenSSL X509_check_host/ip/email rules)', () => {
  const dns = (value: string): GeneralName => ({ type: 'dns', value });
  it('matches exact and single-label wildcard DNS names, case-insensitively', () => {
    const leaf = fakeLeaf([dns('example.com'), dns('*.Example.org')]);
    expect(checkHostname(leaf, 'EXAMPLE.com')).toBe(true);
    expect(checkHostname(leaf, 'example.com.')).toBe(true);
    expect(checkHostname(leaf, 'www.example.org')).toBe(true);
    expect(checkHostname(leaf, 'example.org')).toBe(false);
    expect(checkHostname(leaf, 'a.b.example.org')).toBe(false);
    expect(checkHostname(leaf, 'www.example.com')).toBe(false);
  });

  it('refuses partial, non-leftmost and public-suffix-wide wildcards', () => {
    for (const pattern of ['w*.example.com', 'www.*.com', '*.com', '*', '*.*.example.com']) {
      const leaf = fakeLeaf([dns(pattern)]);
      expect(checkHostname(leaf, 'www.example.com') || checkHostname(leaf, 'example.com'), pattern).toBe(false);
    }
  });

  it('uses the commonName only without DNS SANs and only when asked', () => {
    const cnLeaf = fakeLeaf(undefined, [['2.5.4.3', 'example.com']]);
    expect(checkHostname(cnLeaf, 'example.com')).toBe(false);
    expect(checkHostname(cnLeaf, 'example.com', { checkCommonName: true })).toBe(true);
    const both = fakeLeaf([dns('other.com')], [['2.5.4.3', 'example.com']]);
    expect(checkHostname(both, 'example.com', { checkCommonName: true })).toBe(false);
  });

  it('checks underscores only when not strict', () => {
    const leaf = fakeLeaf([dns('foo_bar.example.com')]);
    expect(checkHostname(leaf, 'foo_bar.example.com')).toBe(true);
    expect(checkHostname(leaf, 'foo_bar.example.com', { allowUnderscore: false })).toBe(false);
  });

  it('compares IP addresses as bytes against iPAddress SANs only', () => {
    const leaf = fakeLeaf([{ type: 'ip', bytes: parseIpAddress('2001:db8::1') as Uint8Array }, dns('192.0.2.1')]);
    expect(checkIp(leaf, '2001:DB8:0::1')).toBe(true);
    expect(checkIp(leaf, '2001:db8::2')).toBe(false);
    expect(checkIp(leaf, '192.0.2.1')).toBe(false);
  });

  it('compares e-mail local parts exactly and domains case-insensitively', () => {
    const leaf = fakeLeaf([{ type: 'email', value: 'User@Example.com' }]);
    expect(checkEmail(leaf, 'User@example.COM')).toBe(true);
    expect(checkEmail(leaf, 'user@example.com')).toBe(false);
    const subjectOnly = fakeLeaf(undefined, [['1.2.840.113549.1.9.1', 'a@example.com']]);
    expect(checkEmail(subjectOnly, 'a@example.com')).toBe(true);
  });
});
