import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSLError } from '@sanstls/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatesInPem, loadCapath, pemOrDerFromFile, resolvePemOrPath } from '../src/files.js';
import { getDefaultVerifyPaths, type PathProbe, systemCaDirs, systemCaFiles } from '../src/verify-paths.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { peerAvailability, skipUnless } from './helpers/peers.js';
import { run } from './helpers/processes.js';

const derOf = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('file arguments', () => {
  let fx: Fixtures;
  beforeAll(() => {
    fx = makeFixtures(['ecdsa']);
  });
  afterAll(() => fx?.cleanup());

  it('a string holding -----BEGIN is PEM, any other string is a path', () => {
    const chain = fx.chains.ecdsa;
    const pem = chain.pem(chain.serverCert);
    expect(resolvePemOrPath('certfile', pem)).toBe(pem);
    expect(resolvePemOrPath('certfile', chain.serverCert)).toBe(pem);
    const bytes = new Uint8Array([1, 2, 3]);
    expect(resolvePemOrPath('certfile', bytes)).toBe(bytes);
  });

  it('a DER file comes back as bytes', () => {
    const chain = fx.chains.ecdsa;
    const derPath = join(fx.dir, 'server.der');
    execFileSync('openssl', ['x509', '-in', chain.serverCert, '-outform', 'DER', '-out', derPath]);
    const value = pemOrDerFromFile('certfile', derPath);
    expect(value).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(value as Uint8Array).equals(readFileSync(derPath))).toBe(true);
  });

  it('a missing file is an SSLError naming the role, the path and ENOENT', () => {
    const missing = join(fx.dir, 'nope.pem');
    const attempt = () => resolvePemOrPath('keyfile', missing);
    expect(attempt).toThrow(SSLError);
    expect(attempt).toThrow(/\[SYS: ENOENT\] cannot read keyfile '.*nope\.pem'/);
    expect(() => resolvePemOrPath('keyfile', '')).toThrow(SSLError);
  });

  it('certificatesInPem keeps certificates (incl. TRUSTED CERTIFICATE) and skips keys', () => {
    const chain = fx.chains.ecdsa;
    const trusted = execFileSync('openssl', ['x509', '-in', chain.caCert, '-addtrust', 'serverAuth', '-trustout'], {
      encoding: 'latin1',
    });
    expect(trusted).toContain('BEGIN TRUSTED CERTIFICATE');
    const text = `comment\n${chain.pem(chain.serverKey)}${chain.pem(chain.serverCert)}junk\n${trusted}`;
    const certs = certificatesInPem(text);
    expect(certs).toHaveLength(2);
    expect(Buffer.from(certs[0]!).equals(derOf(chain.pem(chain.serverCert)))).toBe(true);
    expect(Buffer.from(certs[1]!).equals(derOf(chain.pem(chain.caCert)))).toBe(true);
  });

  it('loadCapath reads an `openssl rehash` directory, de-duplicates, and reports what it skipped', async () => {
    const chain = fx.chains.ecdsa;
    const dir = join(fx.dir, 'capath');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ca.pem'), chain.pem(chain.caCert));
    writeFileSync(join(dir, 'other.pem'), chain.pem(fx.otherCaCert));
    writeFileSync(join(dir, 'README'), 'not a certificate\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n');
    mkdirSync(join(dir, 'subdir'));
    const rehash = await run('openssl', ['rehash', dir]);
    expect(rehash.status).toBe(0);
    symlinkSync(join(dir, 'ca.pem'), join(dir, 'extra-link.pem'));
    const { certificates, skipped } = loadCapath(dir);
    expect(certificates).toHaveLength(2);
    const ders = certificates.map((c) => Buffer.from(c).toString('base64')).sort();
    expect(ders).toEqual(
      [derOf(chain.pem(chain.caCert)), derOf(chain.pem(fx.otherCaCert))].map((b) => b.toString('base64')).sort(),
    );
    expect(skipped.map((s) => s.file.split('/').pop())).toEqual(['README', 'broken.pem']);
  });

  it('loadCapath of a missing directory is an SSLError', () => {
    expect(() => loadCapath(join(fx.dir, 'missing-dir'))).toThrow(/\[SYS: ENOENT\] cannot read capath/);
  });
});

describe('getDefaultVerifyPaths', () => {
  const probe = (files: string[], dirs: string[]): PathProbe => ({
    isFile: (p) => files.includes(p),
    isDirectory: (p) => dirs.includes(p),
  });

  it('Debian locations without environment', () => {
    const paths = getDefaultVerifyPaths({}, probe(['/etc/ssl/certs/ca-certificates.crt'], ['/etc/ssl/certs']), 'linux');
    expect(paths).toEqual({
      cafile: '/etc/ssl/certs/ca-certificates.crt',
      capath: '/etc/ssl/certs',
      openssl_cafile_env: 'SSL_CERT_FILE',
      openssl_cafile: '/etc/ssl/certs/ca-certificates.crt',
      openssl_capath_env: 'SSL_CERT_DIR',
      openssl_capath: '/etc/ssl/certs',
    });
  });

  it('Red Hat, Alpine and macOS locations', () => {
    const redHat = getDefaultVerifyPaths(
      {},
      probe(['/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem'], ['/etc/pki/tls/certs']),
      'linux',
    );
    expect([redHat.cafile, redHat.capath]).toEqual([
      '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
      '/etc/pki/tls/certs',
    ]);
    const alpine = getDefaultVerifyPaths({}, probe(['/etc/ssl/cert.pem'], ['/etc/ssl/certs']), 'linux');
    expect([alpine.cafile, alpine.capath]).toEqual(['/etc/ssl/cert.pem', '/etc/ssl/certs']);
    const mac = getDefaultVerifyPaths({}, probe(['/etc/ssl/cert.pem'], []), 'darwin');
    expect([mac.cafile, mac.capath]).toEqual(['/etc/ssl/cert.pem', null]);
    const bare = getDefaultVerifyPaths({}, probe([], []), 'darwin');
    expect([bare.cafile, bare.openssl_cafile]).toEqual([null, '/etc/ssl/cert.pem']);
  });

  it('SSL_CERT_FILE / SSL_CERT_DIR win, and are null when they point nowhere (as Python)', () => {
    const p = probe(['/etc/ssl/certs/ca-certificates.crt', '/my/ca.pem'], ['/etc/ssl/certs', '/my/dir']);
    const set = getDefaultVerifyPaths({ SSL_CERT_FILE: '/my/ca.pem', SSL_CERT_DIR: '/my/dir' }, p, 'linux');
    expect([set.cafile, set.capath]).toEqual(['/my/ca.pem', '/my/dir']);
    expect(set.openssl_cafile).toBe('/etc/ssl/certs/ca-certificates.crt');
    const dangling = getDefaultVerifyPaths({ SSL_CERT_FILE: '/nowhere.pem', SSL_CERT_DIR: '/nowhere' }, p, 'linux');
    expect([dangling.cafile, dangling.capath]).toEqual([null, null]);
  });

  it('candidate lists are absolute paths without duplicates', () => {
    for (const list of [systemCaFiles, systemCaDirs]) {
      expect(new Set(list).size).toBe(list.length);
      for (const p of list) expect(p.startsWith('/')).toBe(true);
    }
  });

  it.skipIf(skipUnless(peerAvailability.python(), 'python3'))(
    'cafile/capath agree with Python on this machine, with and without the environment variables',
    async () => {
      const script = 'import ssl,json; p=ssl.get_default_verify_paths(); print(json.dumps([p.cafile, p.capath]))';
      for (const env of [
        { SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt', SSL_CERT_DIR: '/etc/ssl/certs' },
        { SSL_CERT_FILE: '/nonexistent/file.pem', SSL_CERT_DIR: '/nonexistent' },
      ]) {
        const python = await run('python3', ['-c', script], { env: { ...process.env, ...env } });
        const ours = getDefaultVerifyPaths(env);
        expect([ours.cafile, ours.capath]).toEqual(JSON.parse(python.stdout));
      }
    },
  );
});
