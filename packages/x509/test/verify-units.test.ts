/**
 * Unit tests of the verify building blocks: the X509_V_ERR table against libcrypto itself, name
 * comparison, name-constraint matching, the TrustStore over the system bundle, and robustness of
 * verifyChain against mutated input.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Certificate,
  type GeneralName,
  type GeneralSubtree,
  type Name,
  type NameConstraints,
  parseCertificate,
  parseName,
  SSLError,
  TrustStore,
  VerifyFlags,
  verifyChain,
  verifyErrorText,
  X509_V_ERR,
} from '../src/index.js';
import { checkNameConstraints, constrainedNames, validateNameConstraints } from '../src/verify/name-constraints.js';
import { nameKey, nameWithinSubtree } from '../src/verify/names.js';

describe('X509_V_ERR table', () => {
  it('matches the texts of the libcrypto on this machine (X509_verify_cert_error_string)', () => {
    let texts: string[];
    try {
      const script = `
import ctypes, ctypes.util, json
lib = ctypes.CDLL(ctypes.util.find_library('crypto'))
f = lib.X509_verify_cert_error_string
f.restype = ctypes.c_char_p
f.argtypes = [ctypes.c_long]
print(json.dumps([f(i).decode() for i in range(95)]))`;
      texts = JSON.parse(execFileSync('python3', ['-c', script]).toString()) as string[];
    } catch (e) {
      console.log(
        `X509_V_ERR: libcrypto oracle unavailable (${(e as Error).message}); compared with fixed samples only`,
      );
      texts = [];
    }
    for (let code = 0; code < texts.length; code++) expect(verifyErrorText(code), `code ${code}`).toBe(texts[code]);
    expect(verifyErrorText(X509_V_ERR.HOSTNAME_MISMATCH)).toBe('hostname mismatch');
    expect(verifyErrorText(X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY)).toBe(
      'unable to get local issuer certificate',
    );
    expect(verifyErrorText(9999)).toMatch(/unknown/);
  });

  it('exports the verify flags with Python ssl.VerifyFlags values', () => {
    const script =
      'import ssl,json; print(json.dumps({n: int(getattr(ssl, n)) for n in ["VERIFY_DEFAULT","VERIFY_CRL_CHECK_LEAF","VERIFY_CRL_CHECK_CHAIN","VERIFY_X509_STRICT","VERIFY_X509_TRUSTED_FIRST","VERIFY_ALLOW_PROXY_CERTS","VERIFY_X509_PARTIAL_CHAIN"] if hasattr(ssl, n)}))';
    const python = JSON.parse(execFileSync('python3', ['-c', script]).toString()) as Record<string, number>;
    for (const [name, value] of Object.entries(python))
      expect(VerifyFlags[name as keyof typeof VerifyFlags], name).toBe(value);
  });
});

/** DER of a Name built by openssl from `-subj` text, parsed by our parser. */
function nameOf(subj: string, utf8 = true): Name {
  const der = execFileSync('python3', [
    '-c',
    `
import subprocess, sys
out = subprocess.run(['openssl', 'req', '-new', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', sys.argv[1], '-outform', 'DER'] + (['-utf8'] if sys.argv[2] == '1' else []), capture_output=True, check=True).stdout
sys.stdout.buffer.write(out)`,
    subj,
    utf8 ? '1' : '0',
  ]);
  return parseCertificate(new Uint8Array(der)).subject;
}

describe('names (RFC 5280 §7.1)', () => {
  it('compares case-insensitively with folded whitespace, and across string types', () => {
    expect(nameKey(nameOf('/O=Example  Corp/CN=Root'))).toBe(nameKey(nameOf('/O=example corp/CN= ROOT ')));
    expect(nameKey(nameOf('/O=Example/CN=Root', true))).toBe(nameKey(nameOf('/O=Example/CN=Root', false)));
    expect(nameKey(nameOf('/O=Example/CN=Root'))).not.toBe(nameKey(nameOf('/CN=Root/O=Example')));
    expect(nameKey(nameOf('/O=Example/CN=Root'))).not.toBe(nameKey(nameOf('/O=Example/CN=Root2')));
  });

  it('treats a directoryName subtree as an RDN prefix', () => {
    const subject = nameOf('/C=US/O=Example/CN=leaf');
    expect(nameWithinSubtree(subject, nameOf('/C=US/O=example'))).toBe(true);
    expect(nameWithinSubtree(subject, nameOf('/C=US/O=Other'))).toBe(false);
    expect(nameWithinSubtree(subject, parseName(Uint8Array.of(0x30, 0)))).toBe(true);
  });
});

const subtree = (base: GeneralName): GeneralSubtree => ({ base, minimum: 0, maximum: undefined });
const nc = (permitted: GeneralName[], excluded: GeneralName[] = []): NameConstraints => ({
  permitted: permitted.length > 0 ? permitted.map(subtree) : undefined,
  excluded: excluded.length > 0 ? excluded.map(subtree) : undefined,
});
const leafWith = (san: GeneralName[] | undefined, subject: Name = parseName(Uint8Array.of(0x30, 0))): Certificate =>
  ({ subjectAltName: san, subject }) as unknown as Certificate;
const ncCode = (san: GeneralName[], constraints: NameConstraints): number =>
  checkNameConstraints(constrainedNames(leafWith(san), true), constraints)?.code ?? 0;
const dns = (value: string): GeneralName => ({ type: 'dns', value });
const email = (value: string): GeneralName => ({ type: 'email', value });
const uri = (value: string): GeneralName => ({ type: 'uri', value });
const ip = (...bytes: number[]): GeneralName => ({ type: 'ip', bytes: Uint8Array.from(bytes) });

describe('name constraints (RFC 5280 §4.2.1.10)', () => {
  it('DNS: a constraint covers the name and its subdomains, label-aligned', () => {
    expect(ncCode([dns('example.com')], nc([dns('example.com')]))).toBe(0);
    expect(ncCode([dns('a.b.EXAMPLE.com')], nc([dns('example.com')]))).toBe(0);
    expect(ncCode([dns('badexample.com')], nc([dns('example.com')]))).toBe(47);
    expect(ncCode([dns('*.example.com')], nc([dns('example.com')]))).toBe(0);
    expect(ncCode([dns('*.example.com')], nc([dns('foo.example.com')]))).toBe(47);
    expect(ncCode([dns('example.com')], nc([], [dns('example.com')]))).toBe(48);
    expect(ncCode([dns('other.com')], nc([], [dns('example.com')]))).toBe(0);
    expect(ncCode([dns('anything.test')], nc([dns('')]))).toBe(0);
  });

  it('DNS: a wildcard that may match an excluded name is excluded', () => {
    expect(ncCode([dns('*.example.com')], nc([], [dns('bar.example.com')]))).toBe(48);
    expect(ncCode([dns('*.example.com')], nc([], [dns('a.bar.example.com')]))).toBe(0);
  });

  it('DNS: malformed presented names fail when DNS constraints apply', () => {
    expect(ncCode([dns('.example.com')], nc([dns('example.com')]))).toBe(53);
    expect(ncCode([dns('.example.com')], nc([], [ip(10, 0, 0, 0, 255, 0, 0, 0)]))).toBe(0);
  });

  it('IP: address and mask, per address family', () => {
    const v4net = ip(192, 0, 2, 0, 255, 255, 255, 0);
    expect(ncCode([ip(192, 0, 2, 77)], nc([v4net]))).toBe(0);
    expect(ncCode([ip(192, 0, 3, 1)], nc([v4net]))).toBe(47);
    expect(ncCode([ip(192, 0, 2, 77)], nc([], [v4net]))).toBe(48);
    const v6 = new Array(16).fill(0);
    v6[15] = 1;
    expect(ncCode([ip(...v6)], nc([v4net]))).toBe(47);
    expect(validateNameConstraints(nc([ip(192, 0, 2, 0, 255, 0, 255, 0)]), false)?.code).toBe(52);
    expect(validateNameConstraints(nc([ip(127, 0, 0, 1)]), false)?.code).toBe(52);
  });

  it('rfc822Name: mailbox, host and domain forms; asterisks are literal', () => {
    expect(ncCode([email('foo@example.com')], nc([email('foo@example.com')]))).toBe(0);
    expect(ncCode([email('Foo@example.com')], nc([email('foo@example.com')]))).toBe(47);
    expect(ncCode([email('foo@EXAMPLE.com')], nc([email('example.com')]))).toBe(0);
    expect(ncCode([email('foo@mail.example.com')], nc([email('example.com')]))).toBe(47);
    expect(ncCode([email('foo@mail.example.com')], nc([email('.example.com')]))).toBe(0);
    expect(ncCode([email('foo@example.com')], nc([email('.example.com')]))).toBe(47);
    expect(ncCode([email('user@example.com')], nc([email('*@example.com')]))).toBe(47);
    expect(ncCode([email('*@example.com')], nc([email('*@example.com')]))).toBe(0);
    expect(validateNameConstraints(nc([email('a@b@example.com')]), false)?.code).toBe(52);
  });

  it('URI: the host of the authority, exact or as a domain', () => {
    expect(ncCode([uri('https://www.example.com:8443/x')], nc([uri('.example.com')]))).toBe(0);
    expect(ncCode([uri('https://example.com/')], nc([uri('.example.com')]))).toBe(47);
    expect(ncCode([uri('https://user@example.com/')], nc([uri('example.com')]))).toBe(0);
    expect(ncCode([uri('urn:example:com')], nc([uri('example.com')]))).toBe(47);
  });

  it('directoryName: applies to the subject and dirName SANs', () => {
    const subject = nameOf('/C=US/O=Example/CN=leaf');
    const names = constrainedNames(leafWith(undefined, subject), true);
    expect(checkNameConstraints(names, nc([{ type: 'dirName', name: nameOf('/C=US/O=Example') }]))).toBeUndefined();
    expect(checkNameConstraints(names, nc([{ type: 'dirName', name: nameOf('/C=US/O=Other') }]))?.code).toBe(47);
    expect(checkNameConstraints(names, nc([], [{ type: 'dirName', name: nameOf('/C=US') }]))?.code).toBe(48);
  });

  it('subject emailAddress is an rfc822Name; a CN host name obeys DNS constraints only without SANs', () => {
    const subject = nameOf('/CN=www.example.com/emailAddress=a@other.org');
    const noSan = constrainedNames(leafWith(undefined, subject), true);
    expect(checkNameConstraints(noSan, nc([email('example.com')]))?.code).toBe(47);
    expect(checkNameConstraints(noSan, nc([dns('example.org')]))?.code).toBe(47);
    expect(checkNameConstraints(noSan, nc([dns('example.com')]))).toBeUndefined();
    const withSan = constrainedNames(leafWith([ip(192, 0, 2, 1)], subject), true);
    expect(checkNameConstraints(withSan, nc([dns('example.org')]))).toBeUndefined();
  });

  it('fails closed on name types it cannot compare, and on malformed constraint extensions', () => {
    const other: GeneralName = { type: 'otherName', oid: '1.2.3', value: Uint8Array.of(5, 0) };
    expect(ncCode([other, dns('example.com')], nc([dns('example.com')], [other]))).toBe(51);
    expect(ncCode([dns('example.com')], nc([dns('example.com')], [other]))).toBe(0);
    expect(
      validateNameConstraints(
        { permitted: [{ base: dns('example.com'), minimum: 1, maximum: undefined }], excluded: undefined },
        false,
      )?.code,
    ).toBe(49);
    expect(validateNameConstraints({ permitted: [], excluded: [] }, false)?.code).toBe(41);
    expect(validateNameConstraints(nc([dns('.example.com')]), true)?.code).toBe(52);
    expect(validateNameConstraints(nc([dns('.example.com')]), false)).toBeUndefined();
    expect(validateNameConstraints(nc([dns('*.example.com')]), false)?.code).toBe(52);
  });
});

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

describe('TrustStore', () => {
  it.skipIf(!existsSync(SYSTEM_BUNDLE))(
    'loads the system bundle lazily and looks anchors up by subject and key identifier',
    () => {
      const pem = readFileSync(SYSTEM_BUNDLE, 'utf8');
      const t0 = performance.now();
      const store = TrustStore.fromPem(pem + pem);
      const loadMs = performance.now() - t0;
      const count = (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
      expect(store.size).toBe(count);
      const t1 = performance.now();
      const certs = store.certificates().map((der) => parseCertificate(der));
      for (const cert of certs) {
        expect(store.findBySubject(cert.subject)).toContain(store.findBySubject(cert.subject)[0]);
        expect(store.findBySubject(cert.subject).some((c) => c.der.length === cert.der.length)).toBe(true);
        if (cert.subjectKeyIdentifier !== undefined)
          expect(store.findByKeyIdentifier(cert.subjectKeyIdentifier).length).toBeGreaterThan(0);
        expect(store.isAnchor(cert)).toBe(true);
      }
      console.log(
        `TrustStore: ${count} roots, fromPem ${loadMs.toFixed(1)} ms, index + ${count} lookups ${(performance.now() - t1).toFixed(1)} ms`,
      );
      expect(store.unparsable()).toEqual([]);
    },
  );

  it('ignores unparsable anchors and duplicate additions', () => {
    const store = new TrustStore();
    store.add(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00));
    store.add(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00));
    expect(store.size).toBe(1);
    expect(store.findBySubject(parseName(Uint8Array.of(0x30, 0)))).toEqual([]);
    expect(store.unparsable()).toHaveLength(1);
  });
});

describe('verifyChain robustness', () => {
  const pem = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : '';
  const store = TrustStore.fromPem(pem);
  const sample = store.certificates().slice(0, 8);

  it.skipIf(sample.length === 0)(
    'mutated certificates yield SSLError-family errors, never TypeError/RangeError or a hang',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: sample.length - 1 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          (which, edits, truncate) => {
            const der = (sample[which] as Uint8Array).slice();
            for (const [pos, byte] of edits) der[pos % der.length] = byte;
            const input = truncate ? der.subarray(0, der.length - ((edits[0]?.[0] ?? 1) % 40) - 1) : der;
            const t0 = performance.now();
            try {
              verifyChain({ leaf: input, intermediates: [input], trustAnchors: store, hostname: 'example.com' });
            } catch (e) {
              expect(e).toBeInstanceOf(SSLError);
            }
            expect(performance.now() - t0).toBeLessThan(1000);
          },
        ),
        { numRuns: 150, seed: 20261123 },
      );
    },
  );

  it('rejects invalid options clearly', () => {
    const leaf = sample[0] ?? new Uint8Array();
    expect(() => verifyChain({ leaf, trustAnchors: [], at: new Date(Number.NaN) })).toThrow(SSLError);
    expect(() => verifyChain({ leaf, trustAnchors: [], maxDepth: -1 })).toThrow(SSLError);
    expect(() => verifyChain({ leaf, trustAnchors: [], ip: 'not-an-ip' })).toThrow(SSLError);
  });
});
