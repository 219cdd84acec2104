/**
 * Certificate fixtures made at test time with the `openssl` CLI (an independent implementation, so our parser and
 * verifier are checked against something they did not produce). Each key type gets CA → server leaf
 * (SAN localhost, 127.0.0.1; serverAuth) and CA → client leaf (clientAuth). One unrelated CA and a leaf for the
 * wrong name serve the negative cases.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyKind = 'ecdsa' | 'rsa' | 'ed25519';
export const keyKinds: readonly KeyKind[] = ['ecdsa', 'rsa', 'ed25519'];

/** File paths (and PEM text) of one CA → leaves family. */
export interface Chain {
  readonly kind: KeyKind;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Leaf followed by the CA, as a server that sends its whole chain would load it. */
  readonly serverChain: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A leaf for `wrong.example` only, from the same CA. */
  readonly wrongNameCert: string;
  readonly wrongNameKey: string;
  pem(path: string): string;
}

export interface Fixtures {
  readonly dir: string;
  readonly chains: Record<KeyKind, Chain>;
  /** A CA that signed none of the above. */
  readonly otherCaCert: string;
  /** Removes the directory. */
  cleanup(): void;
}

function keygenArgs(kind: KeyKind, out: string): string[] {
  switch (kind) {
    case 'ecdsa':
      return ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out];
    case 'rsa':
      return ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', out];
    case 'ed25519':
      return ['genpkey', '-algorithm', 'ED25519', '-out', out];
  }
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

function makeCa(dir: string, name: string, kind: KeyKind): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(keygenArgs(kind, key), dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-out',
      cert,
      '-days',
      '30',
      '-subj',
      `/O=sanstls tests/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  return { cert, key };
}

function makeLeaf(
  dir: string,
  name: string,
  kind: KeyKind,
  ca: { cert: string; key: string },
  subject: string,
  extensions: string,
): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(keygenArgs(kind, key), dir);
  openssl(['req', '-new', '-key', key, '-out', csr, '-subj', subject], dir);
  writeFileSync(ext, extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`,
      '-days',
      '30',
      '-out',
      cert,
      '-extfile',
      ext,
    ],
    dir,
  );
  return { cert, key };
}

const serverExtensions = `basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
`;
const clientExtensions = `basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid
`;
const wrongNameExtensions = serverExtensions.replace('DNS:localhost,IP:127.0.0.1', 'DNS:wrong.example');

/** Creates every fixture in a fresh temporary directory (about a second, most of it RSA key generation). */
export function makeFixtures(kinds: readonly KeyKind[] = keyKinds): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-fixtures-'));
  const chains = {} as Record<KeyKind, Chain>;
  for (const kind of kinds) {
    const ca = makeCa(dir, `${kind}-ca`, kind);
    const server = makeLeaf(dir, `${kind}-server`, kind, ca, '/CN=localhost', serverExtensions);
    const client = makeLeaf(dir, `${kind}-client`, kind, ca, '/CN=sanstls client', clientExtensions);
    const wrong = makeLeaf(dir, `${kind}-wrongname`, kind, ca, '/CN=wrong.example', wrongNameExtensions);
    const serverChain = join(dir, `${kind}-server-chain.pem`);
    writeFileSync(serverChain, readFileSync(server.cert, 'latin1') + readFileSync(ca.cert, 'latin1'));
    chains[kind] = {
      kind,
      caCert: ca.cert,
      caKey: ca.key,
      serverCert: server.cert,
      serverKey: server.key,
      serverChain,
      clientCert: client.cert,
      clientKey: client.key,
      wrongNameCert: wrong.cert,
      wrongNameKey: wrong.key,
      pem: (path) => readFileSync(path, 'latin1'),
    };
  }
  const other = makeCa(dir, 'other-ca', 'ecdsa');
  return {
    dir,
    chains,
    otherCaCert: other.cert,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
