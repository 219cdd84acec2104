/**
 * Differential test: verifyChain against `openssl verify` (3.0) on random pools of related certificates
 * (fuzz/certpool.ts: random cA/pathLen, keyUsage, extKeyUsage, name constraints, validity, SANs, issuers).
 * Both must accept or both reject; every known, intended difference is listed in EXPECTED_DIFFERENCES
 * with its reason. CI: 30 pools; `pnpm fuzz` (FUZZ_SECONDS) runs many more.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyUsageName, SSLCertVerificationError, verifyChain } from '@sanstls/x509';
import { createCertificate, generateKey } from '@sanstls/x509/generate';
import { afterAll, describe, expect, it } from 'vitest';
import { type CertPool, makePool, POOL_NOW } from '../../../fuzz/certpool.js';
import { Rng } from '../../../fuzz/mutate.js';

const opensslPresent = spawnSync('openssl', ['version']).status === 0;
if (!opensslPresent) console.log('property-verify-differential: skipped, no openssl CLI');

const dir = mkdtempSync(join(tmpdir(), 'sanstls-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Verdict {
  ok: boolean;
  /** X509_V_ERR code, 0 when accepted. */
  code: number;
  text: string;
}

function openssl(pool: CertPool): Verdict {
  const file = (name: string, pems: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, pems.join(''));
    return path;
  };
  const args = [
    'verify',
    '-CAfile',
    file(
      'roots.pem',
      pool.roots.map((c) => c.pem),
    ),
  ];
  if (pool.intermediates.length > 0)
    args.push(
      '-untrusted',
      file(
        'untrusted.pem',
        pool.intermediates.map((c) => c.pem),
      ),
    );
  args.push('-attime', String(Math.floor(POOL_NOW.getTime() / 1000)));
  args.push('-purpose', pool.purpose === 'serverAuth' ? 'sslserver' : 'sslclient');
  if (pool.hostname !== undefined) args.push('-verify_hostname', pool.hostname);
  args.push(file('leaf.pem', [pool.leaf.pem]));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status === 0) return { ok: true, code: 0, text: 'OK' };
  const m = /error (\d+) at \d+ depth lookup: (.*)/.exec(out);
  return { ok: false, code: m ? Number(m[1]) : -1, text: m ? (m[2] ?? '') : out.trim() };
}

function ours(pool: CertPool): Verdict {
  try {
    verifyChain({
      leaf: pool.leaf.der,
      intermediates: pool.intermediates.map((c) => c.der),
      trustAnchors: pool.roots.map((c) => c.der),
      at: POOL_NOW,
      hostname: pool.hostname,
      purpose: pool.purpose,
    });
    return { ok: true, code: 0, text: 'OK' };
  } catch (e) {
    if (e instanceof SSLCertVerificationError) return { ok: false, code: e.verifyCode, text: e.verifyMessage };
    throw e;
  }
}

/**
 * Intended differences: (pool, openssl verdict, our verdict) → the reason, or undefined. None is known
 * today; an entry here must say why sanstls is right (or why the difference is harmless).
 */
const EXPECTED_DIFFERENCES: ((pool: CertPool, theirs: Verdict, mine: Verdict) => string | undefined)[] = [];

/**
 * Disagreements where OpenSSL is right and verifyChain is not, counted here so the random run stays green
 * while open, and pinned below by an `it.fails` reproducer each. None is open: the one found (a clientAuth
 * leaf with keyEncipherment alone) is fixed and kept as a regression test below.
 */
interface KnownBug {
  name: string;
  /** A minimal pool that shows it. */
  reproducer: () => CertPool;
  /** The certificates and the question have the bug's shape. */
  shape: (pool: CertPool) => boolean;
  /** The two verdicts differ the way the bug makes them differ. */
  verdicts: (theirs: Verdict, mine: Verdict) => boolean;
}

const KNOWN_BUGS: KnownBug[] = [];

/** root → leaf, all valid, with the leaf options given: the smallest pool for one question. */
function reproducerPool(leafOptions: { keyUsage: KeyUsageName[] }, purpose: CertPool['purpose']): CertPool {
  const rng = new Rng(5);
  const randomBytes = (n: number): Uint8Array => rng.bytes(n);
  const rootKey = generateKey('ed25519', { randomBytes }).privateKey;
  const leafKey = generateKey('ed25519', { randomBytes }).privateKey;
  const common = { now: POOL_NOW, randomBytes, days: 30 };
  const root = createCertificate({ subject: 'CN=root', key: rootKey, isCa: true, ...common });
  const leaf = createCertificate({
    subject: 'CN=leaf',
    key: leafKey,
    issuer: { certificate: root.der, key: rootKey },
    keyUsage: leafOptions.keyUsage,
    ...common,
  });
  const member = (name: string, c: typeof root, key: typeof rootKey, keyUsage: KeyUsageName[] | undefined) => ({
    name,
    der: c.der,
    pem: c.pem,
    key,
    isCa: name === 'root',
    keyUsage,
    sans: [],
    description: `${name} KU=${keyUsage?.join('+') ?? 'default'}`,
  });
  return {
    seed: -1,
    roots: [member('root', root, rootKey, ['keyCertSign', 'cRLSign'])],
    intermediates: [],
    leaf: member('leaf', leaf, leafKey, leafOptions.keyUsage),
    hostname: undefined,
    purpose,
  };
}

function describePool(pool: CertPool): string {
  return [
    `pool seed ${pool.seed}: purpose ${pool.purpose}, hostname ${pool.hostname ?? '(none)'}`,
    ...[...pool.roots, ...pool.intermediates, pool.leaf].map((c) => `  ${c.description}`),
  ].join('\n');
}

const POOLS = process.env.FUZZ_SECONDS !== undefined ? Math.max(30, Number(process.env.FUZZ_SECONDS) * 5) : 30;
const FIRST_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 1000;

describe.skipIf(!opensslPresent)('verifyChain ⇄ openssl verify on random certificate pools', () => {
  it(`agrees on ${POOLS} pools (seeds ${FIRST_SEED}…), except documented differences`, () => {
    const disagreements: string[] = [];
    const tally = { bothAccept: 0, bothReject: 0, sameCode: 0, explained: 0, knownBugs: 0 };
    for (let seed = FIRST_SEED; seed < FIRST_SEED + POOLS; seed++) {
      const pool = makePool(seed);
      const theirs = openssl(pool);
      const mine = ours(pool);
      if (theirs.ok === mine.ok) {
        if (theirs.ok) tally.bothAccept++;
        else {
          tally.bothReject++;
          if (theirs.code === mine.code) tally.sameCode++;
        }
        continue;
      }
      const bug = KNOWN_BUGS.find((b) => b.shape(pool) && b.verdicts(theirs, mine));
      if (bug !== undefined) {
        tally.knownBugs++;
        continue;
      }
      const reason = EXPECTED_DIFFERENCES.map((f) => f(pool, theirs, mine)).find((r) => r !== undefined);
      if (reason !== undefined) {
        tally.explained++;
        continue;
      }
      disagreements.push(
        `${describePool(pool)}\n  openssl: ${theirs.ok ? 'accepts' : `rejects ${theirs.code} ${theirs.text}`}\n  sanstls: ${mine.ok ? 'accepts' : `rejects ${mine.code} ${mine.text}`}`,
      );
    }
    console.log(
      `differential: ${POOLS} pools, both accept ${tally.bothAccept}, both reject ${tally.bothReject} (same X509_V_ERR code ${tally.sameCode}), explained differences ${tally.explained}, known verifyChain bugs ${tally.knownBugs}, unexplained ${disagreements.length}`,
    );
    expect(disagreements, disagreements.join('\n\n')).toEqual([]);
    // The generator must produce both outcomes, or the comparison proves little.
    expect(tally.bothAccept).toBeGreaterThan(0);
    expect(tally.bothReject).toBeGreaterThan(0);
  });
});

describe.skipIf(!opensslPresent)('verifyChain ⇄ openssl verify: disagreements found by the differential', () => {
  // Found by the random pools (issue #10), fixed in chain.ts: OpenSSL check_purpose_ssl_client rejects a
  // client certificate whose keyUsage has neither digitalSignature nor keyAgreement.
  it('a clientAuth leaf whose keyUsage is keyEncipherment alone is refused by both (X509_V_ERR 26)', () => {
    const pool = reproducerPool({ keyUsage: ['keyEncipherment'] }, 'clientAuth');
    expect(openssl(pool)).toMatchObject({ ok: false, code: 26 });
    expect(ours(pool)).toMatchObject({ ok: false, code: 26 });
    // The same leaf is fine for a server (key transport), and digitalSignature makes it a client's.
    expect(ours(reproducerPool({ keyUsage: ['keyEncipherment'] }, 'serverAuth')).ok).toBe(true);
    expect(ours(reproducerPool({ keyUsage: ['digitalSignature'] }, 'clientAuth')).ok).toBe(true);
  });

  for (const bug of KNOWN_BUGS) {
    it(`reproducer has the shape, and openssl verify rejects it the way the bug describes: ${bug.name}`, () => {
      const pool = bug.reproducer();
      expect(bug.shape(pool)).toBe(true);
      expect(openssl(pool).ok).toBe(false);
    });
    // it.fails: turns red once verifyChain is fixed, so that the entry gets removed then.
    it.fails(`reproducer: verifyChain agrees with openssl verify (${bug.name})`, () => {
      const pool = bug.reproducer();
      expect(ours(pool).ok, describePool(pool)).toBe(openssl(pool).ok);
    });
  }
});
