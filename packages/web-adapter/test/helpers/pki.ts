/** Test certificates made with the openssl CLI in a temporary directory (a CA, leaves, an untrusted CA). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Leaf {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
  /** Leaf followed by the CA (what servers send). */
  chainPem: string;
  chainFile: string;
}

export interface Pki {
  dir: string;
  caPem: string;
  caFile: string;
  ec: Leaf;
  rsa: Leaf;
  /** A client certificate (P-256) for mutual TLS. */
  client: Leaf;
  /** Signed by a CA nobody trusts. */
  untrusted: Leaf;
}

let cached: Pki | undefined;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

const EC = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
const RSA = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];

function makeCa(dir: string, name: string): void {
  openssl(['genpkey', ...EC, '-out', `${name}.key`], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '30',
      '-out',
      `${name}.pem`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function issue(dir: string, ca: string, name: string, key: string[], ext: string): Leaf {
  openssl(['genpkey', ...key, '-out', `${name}.key`], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  const certPem = readFileSync(join(dir, `${name}.pem`), 'utf8');
  const chainPem = certPem + readFileSync(join(dir, `${ca}.pem`), 'utf8');
  writeFileSync(join(dir, `${name}.chain.pem`), chainPem);
  return {
    certPem,
    keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}.key`),
    chainPem,
    chainFile: join(dir, `${name}.chain.pem`),
  };
}

const SERVER_EXT =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';
const CLIENT_EXT =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

export function testPki(): Pki {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-web-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'rogue-ca');
  cached = {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    ec: issue(dir, 'ca', 'ec-server', EC, SERVER_EXT),
    rsa: issue(dir, 'ca', 'rsa-server', RSA, SERVER_EXT),
    client: issue(dir, 'ca', 'client', EC, CLIENT_EXT),
    untrusted: issue(dir, 'rogue-ca', 'untrusted-server', EC, SERVER_EXT),
  };
  return cached;
}
