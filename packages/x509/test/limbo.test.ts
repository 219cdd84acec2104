/**
 * x509-limbo (C2SP/x509-limbo + Netflix BetterTLS) run in full through verifyChain.
 *
 * Each case maps onto verifyChain's options; a case whose inputs the options cannot express is skipped
 * with its reason and left out of the rates. The library runs with VERIFY_X509_STRICT (the RFC 5280 /
 * CA/B profile limbo exercises) and VERIFY_CRL_CHECK_LEAF when the case carries CRLs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type KeyUsageName,
  pemBlocks,
  SSLCertVerificationError,
  SSLError,
  TrustStore,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifiedSignatureCache,
  type VerifyChainOptions,
  verifyChain,
} from '../src/index.js';

const LIMBO = fileURLToPath(new URL('../../../../shared/vectors/limbo/limbo.json', import.meta.url));
const present = existsSync(LIMBO);
if (!present) console.log(`limbo: skipped, ${LIMBO} is absent`);

interface LimboCase {
  id: string;
  features: string[] | null;
  description: string;
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  signature_algorithms: string[] | null;
  key_usage: string[] | null;
  extended_key_usage: string[] | null;
  expected_result: 'SUCCESS' | 'FAILURE';
  expected_peer_name: { kind: 'DNS' | 'IP' | 'RFC822'; value: string } | null;
  expected_peer_names: { kind: 'DNS' | 'IP' | 'RFC822'; value: string }[] | null;
  max_chain_depth: number | null;
  crls: string[];
}

const derOf = (pem: string): Uint8Array => {
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1) throw new Error('expected one PEM block');
  return (blocks[0] as { der: Uint8Array }).der;
};

const KEY_USAGES: ReadonlySet<string> = new Set([
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]);

/** verifyChain options for a case, or the reason the case cannot be expressed. */
function toOptions(c: LimboCase, cache: VerifiedSignatureCache): VerifyChainOptions | string {
  if ((c.signature_algorithms ?? []).length > 0) return 'restricts signature algorithms (no such option)';
  const eku = c.extended_key_usage ?? [];
  const purposeFromKind = c.validation_kind === 'SERVER' ? 'serverAuth' : 'clientAuth';
  if (eku.length > 1 || (eku.length === 1 && eku[0] !== 'serverAuth' && eku[0] !== 'clientAuth')) {
    return `extended key usage ${eku.join(',')} (purpose is serverAuth/clientAuth/any)`;
  }
  const purpose = (eku[0] as 'serverAuth' | 'clientAuth' | undefined) ?? purposeFromKind;
  const ku = c.key_usage ?? [];
  if (ku.some((k) => !KEY_USAGES.has(k))) return `key usage ${ku.join(',')}`;
  let hostname: string | undefined;
  let ip: string | undefined;
  let email: string | undefined;
  const names = [...(c.expected_peer_name === null ? [] : [c.expected_peer_name]), ...(c.expected_peer_names ?? [])];
  for (const peer of names) {
    if (peer.kind === 'DNS' && hostname === undefined) hostname = peer.value;
    else if (peer.kind === 'IP' && ip === undefined) ip = peer.value;
    else if (peer.kind === 'RFC822' && email === undefined) email = peer.value;
    else return `more than one expected ${peer.kind} peer name (one option per kind)`;
  }
  const store = new TrustStore();
  for (const pem of c.trusted_certs) store.add(derOf(pem));
  const crls = c.crls.map(derOf);
  return {
    leaf: derOf(c.peer_certificate),
    intermediates: c.untrusted_intermediates.map(derOf),
    trustAnchors: store,
    at: c.validation_time === null ? new Date() : new Date(c.validation_time),
    hostname,
    ip,
    email,
    purpose,
    maxDepth: c.max_chain_depth ?? undefined,
    crls,
    leafKeyUsage: ku as KeyUsageName[],
    verifiedSignatureCache: cache,
  };
}

interface RunResult {
  run: number;
  passed: number;
  successRun: number;
  successPassed: number;
  crashes: string[];
  slowest: { id: string; ms: number };
  report: string;
}

/** Runs every case through verifyChain with `flags` (plus CRL checking where the case has CRLs). */
function runLimbo(cases: readonly LimboCase[], label: string, flags: number, cache: VerifiedSignatureCache): RunResult {
  const skipped: string[] = [];
  const failures = new Map<string, string[]>();
  const r: RunResult = {
    run: 0,
    passed: 0,
    successRun: 0,
    successPassed: 0,
    crashes: [],
    slowest: { id: '', ms: 0 },
    report: '',
  };
  const started = performance.now();
  for (const c of cases) {
    let options: VerifyChainOptions | string;
    try {
      options = toOptions(c, cache);
    } catch (e) {
      options = `inputs do not decode: ${(e as Error).message}`;
    }
    if (typeof options === 'string') {
      skipped.push(`${c.id}: ${options}`);
      continue;
    }
    options = { ...options, flags: flags | ((options.crls ?? []).length > 0 ? VERIFY_CRL_CHECK_LEAF : 0) };
    r.run++;
    if (c.expected_result === 'SUCCESS') r.successRun++;
    const t0 = performance.now();
    let outcome: 'SUCCESS' | 'FAILURE';
    let reason = 'accepted';
    try {
      verifyChain(options);
      outcome = 'SUCCESS';
    } catch (e) {
      outcome = 'FAILURE';
      if (e instanceof SSLCertVerificationError) {
        reason = `${e.verifyCode} ${e.verifyMessage}`;
      } else if (e instanceof SSLError) {
        reason = e.constructor.name;
      } else {
        reason = `crash ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
        r.crashes.push(`${c.id}: ${reason}`);
      }
    }
    const ms = performance.now() - t0;
    if (ms > r.slowest.ms) r.slowest = { id: c.id, ms };
    if (outcome === c.expected_result) {
      r.passed++;
      if (outcome === 'SUCCESS') r.successPassed++;
    } else {
      const group = `expected ${c.expected_result}, got ${outcome === 'SUCCESS' ? 'SUCCESS' : reason} [${c.id.split('::').slice(0, -1).join('::')}]`;
      const list = failures.get(group) ?? [];
      list.push(c.id);
      failures.set(group, list);
    }
  }
  const total = performance.now() - started;
  const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(2)}%`;
  r.report = [
    `limbo (${label}): ${r.passed}/${r.run} = ${pct(r.passed, r.run)} of cases run; SUCCESS cases ${r.successPassed}/${r.successRun} = ${pct(r.successPassed, r.successRun)}`,
    `limbo (${label}): ${cases.length} cases, ${skipped.length} skipped, ${(total / 1000).toFixed(1)} s, slowest ${r.slowest.id} ${r.slowest.ms.toFixed(0)} ms`,
    ...skipped.map((s) => `  skipped ${s}`),
    ...[...failures.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([group, ids]) => `  ${ids.length} × ${group}: ${ids.slice(0, 6).join(' ')}${ids.length > 6 ? ' …' : ''}`),
  ].join('\n');
  return r;
}

describe.skipIf(!present)('x509-limbo', () => {
  const cases = present ? (JSON.parse(readFileSync(LIMBO, 'utf8')) as { testcases: LimboCase[] }).testcases : [];
  // One signature cache for both runs, as a TLS engine keeps one across handshakes: the second run
  // re-verifies no (issuer key, certificate) pair the first one already verified.
  const cache = new VerifiedSignatureCache(16_384);

  it('VERIFY_X509_STRICT: >= 99% of cases run and >= 99% of SUCCESS cases, every case within the hang guard', () => {
    const r = runLimbo(cases, 'VERIFY_X509_STRICT', VERIFY_X509_STRICT | VERIFY_X509_TRUSTED_FIRST, cache);
    console.log(r.report);
    expect(r.crashes).toEqual([]);
    expect(r.slowest.ms).toBeLessThan(1500);
    expect(r.passed / r.run).toBeGreaterThanOrEqual(0.99);
    expect(r.successPassed / r.successRun).toBeGreaterThanOrEqual(0.99);
  }, 300_000);

  it('default flags: still accepts >= 99% of SUCCESS cases (the strict profile only adds rejections)', () => {
    const successCases = cases.filter((c) => c.expected_result === 'SUCCESS');
    const r = runLimbo(successCases, 'default flags, SUCCESS cases', VERIFY_X509_TRUSTED_FIRST, cache);
    console.log(r.report);
    expect(r.crashes).toEqual([]);
    expect(r.slowest.ms).toBeLessThan(1500);
    expect(r.successPassed / r.successRun).toBeGreaterThanOrEqual(0.99);
  }, 300_000);
});
