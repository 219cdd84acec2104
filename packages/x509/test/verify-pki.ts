/**
 * Test helper: builds certificate chains and CRLs with the openssl CLI in a temporary directory, and
 * runs `openssl verify` on them as an oracle.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSLCertVerificationError } from '@sanstls/x509';

export interface CertSpec {
  /** `-subj` form, e.g. `/CN=Root`. */
  subject: string;
  /** Name of the issuing cert made earlier; omitted = self-signed. */
  issuer?: string;
  /** Extension lines for the openssl config section (basicConstraints=…, keyUsage=…, …). */
  ext?: string[];
  key?: 'ec' | 'rsa2048' | 'rsa1024' | 'ed25519';
  /** Reuse the key of an earlier certificate (cross-signing, re-issuance). */
  keyOf?: string;
  days?: number;
  digest?: 'sha256' | 'sha1';
}

export const CA_EXT = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
];
export const LEAF_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectAltName=DNS:example.com,DNS:*.example.org,IP:192.0.2.1',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
];

export class OpensslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'sanstls-verify-'));
  private serial = 1;
  private readonly revokedSerials = new Map<string, string[]>();

  run(args: string[]): string {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  }

  path(name: string, ext = 'pem'): string {
    return join(this.dir, `${name}.${ext}`);
  }

  private makeKey(name: string, kind: CertSpec['key']): void {
    const args =
      kind === 'rsa2048' || kind === 'rsa1024'
        ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${kind === 'rsa2048' ? 2048 : 1024}`]
        : kind === 'ed25519'
          ? ['-algorithm', 'ED25519']
          : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    this.run(['genpkey', ...args, '-out', this.path(name, 'key')]);
  }

  /** Makes `name.pem` / `name.key` and returns the certificate's DER. */
  cert(name: string, spec: CertSpec): Uint8Array {
    if (spec.keyOf !== undefined) writeFileSync(this.path(name, 'key'), readFileSync(this.path(spec.keyOf, 'key')));
    else this.makeKey(name, spec.key ?? 'ec');
    const cfg = this.path(name, 'cnf');
    writeFileSync(cfg, `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${(spec.ext ?? []).join('\n')}\n`);
    const digest = spec.key === 'ed25519' ? [] : [`-${spec.digest ?? 'sha256'}`];
    const days = String(spec.days ?? 3650);
    const serial = String(this.serial++);
    if (spec.issuer === undefined) {
      this.run([
        'req',
        '-x509',
        '-new',
        '-key',
        this.path(name, 'key'),
        '-subj',
        spec.subject,
        '-config',
        cfg,
        '-extensions',
        'ext',
        '-days',
        days,
        '-set_serial',
        serial,
        ...digest,
        '-out',
        this.path(name),
      ]);
    } else {
      this.run([
        'req',
        '-new',
        '-key',
        this.path(name, 'key'),
        '-subj',
        spec.subject,
        '-config',
        cfg,
        '-out',
        this.path(name, 'csr'),
      ]);
      this.run([
        'x509',
        '-req',
        '-in',
        this.path(name, 'csr'),
        '-CA',
        this.path(spec.issuer),
        '-CAkey',
        this.path(spec.issuer, 'key'),
        '-set_serial',
        serial,
        '-days',
        days,
        '-extfile',
        cfg,
        '-extensions',
        'ext',
        ...digest,
        '-out',
        this.path(name),
      ]);
    }
    this.run(['x509', '-in', this.path(name), '-outform', 'DER', '-out', this.path(name, 'der')]);
    return new Uint8Array(readFileSync(this.path(name, 'der')));
  }

  der(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name, 'der')));
  }

  /** Serial number (hex) of an earlier certificate. */
  serialOf(name: string): string {
    return this.run(['x509', '-in', this.path(name), '-noout', '-serial'])
      .trim()
      .split('=')[1] as string;
  }

  revoke(issuer: string, cert: string): void {
    const list = this.revokedSerials.get(issuer) ?? [];
    list.push(this.serialOf(cert));
    this.revokedSerials.set(issuer, list);
  }

  /** A CRL signed by `issuer`, listing the certificates revoked with {@link revoke}; returns its DER. */
  crl(issuer: string, name = `${issuer}-crl`, opts: { days?: number } = {}): Uint8Array {
    const db = join(this.dir, `${name}.index`);
    const lines = (this.revokedSerials.get(issuer) ?? []).map(
      (s) => `R\t300101000000Z\t240101000000Z\t${s}\tunknown\t/CN=x`,
    );
    writeFileSync(db, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    writeFileSync(join(this.dir, `${name}.crlnumber`), '01\n');
    const cfg = join(this.dir, `${name}.ca.cnf`);
    writeFileSync(
      cfg,
      `[ca]\ndefault_ca=c\n[c]\ndatabase=${db}\ncrlnumber=${join(this.dir, `${name}.crlnumber`)}\ndefault_md=sha256\ndefault_crl_days=${opts.days ?? 30}\ncrl_extensions=crlext\n[crlext]\nauthorityKeyIdentifier=keyid\n`,
    );
    this.run([
      'ca',
      '-gencrl',
      '-config',
      cfg,
      '-cert',
      this.path(issuer),
      '-keyfile',
      this.path(issuer, 'key'),
      '-out',
      this.path(name),
    ]);
    this.run(['crl', '-in', this.path(name), '-outform', 'DER', '-out', this.path(name, 'der')]);
    return new Uint8Array(readFileSync(this.path(name, 'der')));
  }

  /**
   * `openssl verify` as an oracle: 0 when it accepts, else the first error code it reports.
   * `untrusted` and `trusted` are certificate names made earlier.
   */
  verify(
    leaf: string,
    trusted: string[],
    untrusted: string[],
    opts: {
      attime?: Date;
      hostname?: string;
      ip?: string;
      purpose?: 'sslserver' | 'sslclient';
      crls?: string[];
      crlCheck?: 'leaf' | 'all';
      strict?: boolean;
    } = {},
  ): number {
    const bundle = (names: string[], file: string): string => {
      writeFileSync(join(this.dir, file), names.map((n) => readFileSync(this.path(n), 'utf8')).join(''));
      return file;
    };
    const args = ['verify', '-CAfile', bundle(trusted, 'trusted.bundle')];
    if (untrusted.length > 0) args.push('-untrusted', bundle(untrusted, 'untrusted.bundle'));
    if (opts.attime !== undefined) args.push('-attime', String(Math.floor(opts.attime.getTime() / 1000)));
    if (opts.hostname !== undefined) args.push('-verify_hostname', opts.hostname);
    if (opts.ip !== undefined) args.push('-verify_ip', opts.ip);
    args.push('-purpose', opts.purpose ?? 'sslserver');
    if (opts.crls !== undefined) args.push('-CRLfile', bundle(opts.crls, 'crls.bundle'));
    if (opts.crlCheck === 'leaf') args.push('-crl_check');
    if (opts.crlCheck === 'all') args.push('-crl_check_all');
    if (opts.strict === true) args.push('-x509_strict');
    args.push(this.path(leaf));
    const r = spawnSync('openssl', args, { cwd: this.dir });
    const out = `${r.stdout.toString()}${r.stderr.toString()}`;
    if (r.status === 0) return 0;
    const m = /error (\d+) at \d+ depth lookup/.exec(out);
    if (m === null) throw new Error(`openssl verify gave no error code: ${out}`);
    return Number(m[1]);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

/** The X509_V_ERR code of the SSLCertVerificationError `fn` throws, or undefined when it succeeds. */
export function verifyCodeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SSLCertVerificationError) return e.verifyCode;
    throw e;
  }
  return undefined;
}
