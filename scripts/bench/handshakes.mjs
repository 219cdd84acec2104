/**
 * In-memory handshakes per second (both sides' CPU in one thread) and, for the same handshakes, the
 * primitive lower bound: the provider calls one handshake really makes (recorded through a counting
 * wrapper around the real provider), replayed against the bare provider and timed in the same run.
 */
import { connectPair, handshake, makeContexts, makePair } from './pair.mjs';
import { CATEGORIES, countByCategory, record, recordingProvider, replayer } from './recording-provider.mjs';
import { budget, measureInterleaved, toRate } from './stats.mjs';

/** One probe handshake: the error text when it cannot complete (feature missing), else null. */
function probe(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Measures one handshake kind. `connect(contexts)` performs one complete handshake pair on contexts made
 * by `contextsFor(provider)`; the same function runs timed (bare provider) and recorded (wrapped).
 */
function measureKind({ provider, contextsFor, connect, prepare }) {
  const bare = contextsFor(provider);
  const { provider: wrapped, recorder } = recordingProvider(provider);
  const recorded = contextsFor(wrapped);
  const bareState = prepare?.(bare);
  const recordedState = prepare?.(recorded);
  const failure = probe(() => connect(bare, bareState)) ?? probe(() => connect(recorded, recordedState));
  if (failure !== null) return { status: 'not implemented yet', reason: failure };
  // Steady state for the recording (caches warm exactly as in the timed loop), then one handshake's log.
  for (let i = 0; i < 3; i++) connect(recorded, recordedState);
  const log = record(recorder, () => connect(recorded, recordedState));
  const replay = replayer(provider, log);
  // Handshakes and the replay of their primitives in alternating batches; the ratio is taken per round.
  const m = measureInterleaved(
    () => connect(bare, bareState),
    () => replay(),
  );
  const handshakeMs = m.a;
  const primitivesMs = m.b;
  // Per-category shares: each call timed over several replays, keeping its fastest time (a preemption or
  // a GC pause landing in one call would otherwise be charged to it), then scaled to the measured total.
  const REPS = 15;
  const perCall = log.map(() => []);
  for (let i = 0; i < REPS; i++) {
    let k = 0;
    replay((_cat, ms) => perCall[k++].push(ms));
  }
  const perCat = new Map(CATEGORIES.map((c) => [c, 0]));
  log.forEach((e, k) => {
    perCat.set(e.cat, perCat.get(e.cat) + Math.min(...perCall[k]));
  });
  const timedSum = [...perCat.values()].reduce((x, y) => x + y, 0);
  const scale = primitivesMs.median / timedSum;
  const counts = countByCategory(log);
  const breakdown = CATEGORIES.map((cat) => {
    const c = counts.get(cat);
    return {
      category: cat,
      count: c.count,
      details: Object.fromEntries(c.details),
      bytes: c.bytes,
      ms: perCat.get(cat) * scale,
    };
  }).filter((b) => b.count > 0);
  return {
    status: 'ok',
    handshakeMs,
    handshakesPerSecond: toRate(handshakeMs),
    primitivesMs,
    ratio: m.ratio.median,
    ratioSpread: { min: m.ratio.min, max: m.ratio.max },
    ratioBest: m.ratioBest,
    breakdown,
    providerCalls: log.length,
  };
}

const CERTS = ['ecdsa-p256', 'rsa-2048', 'ed25519'];
const GROUPS = ['x25519', 'X25519MLKEM768'];

/** Resumption: a session from a full handshake, then PSK-DHE handshakes with it. */
function resumedKind(pkiEntry, group) {
  return {
    contextsFor: (p) => makeContexts(pkiEntry, { group, provider: p }),
    prepare(contexts) {
      try {
        const first = connectPair(contexts);
        return { session: first.client.session };
      } catch {
        return { session: null };
      }
    },
    connect(contexts, state) {
      const session = state?.session;
      if (session === null || session === undefined || session.hasTicket === false) {
        throw new Error('the client got no session ticket (resumption not implemented yet)');
      }
      const pair = handshake(makePair(contexts, { session }));
      if (!pair.client.sessionReused)
        throw new Error('session offered but not resumed (resumption not implemented yet)');
      // A fresh ticket arrives with each resumed handshake; keep using the newest (RFC 8446 §4.6.1, C.4).
      state.session = pair.client.session;
      return pair;
    },
  };
}

/**
 * A resumed row's speed-up over the full handshake of the same version, measured as full and resumed
 * handshakes in alternating batches (the ratio per round), so that machine load cannot tilt it the way it
 * can tilt two rows measured a minute apart.
 */
function withSpeedup(provider, version, pki, row) {
  if (row.status !== 'ok') return row;
  const contexts = makeContexts(pki['ecdsa-p256'], { version, group: 'x25519', provider });
  const resumed = resumedKind(pki['ecdsa-p256'], 'x25519');
  const state = resumed.prepare(contexts);
  // Longer batches than elsewhere: a full handshake leaves more garbage (and, on node:crypto, native key
  // handles to finalize) than a resumed one, and a collection spilling into the next batch is charged to it.
  const m = measureInterleaved(
    () => connectPair(contexts),
    () => resumed.connect(contexts, state),
    { batchMs: budget.batchMs * 2 },
  );
  return {
    ...row,
    speedupVsFull: m.ratio.median,
    speedupSpread: { min: m.ratio.min, max: m.ratio.max },
    speedupBest: m.ratioBest,
    // Each side's CPU time per pair in those alternating batches (ms), beside the rows' own figures.
    speedupFullMs: m.a.median,
    speedupResumedMs: m.b.median,
  };
}

/**
 * Every kind's code paths run once, with the bare and the recording provider, before any row is timed.
 * V8 specialises the engine's call sites to the provider objects and message shapes it has seen; a kind
 * or provider met for the first time in the middle of the run deoptimises code the rows after it share,
 * and the row that meets it pays for the re-optimisation (issue #9: in one run the first node:crypto row,
 * TLS 1.3 full with ECDSA P-256, showed twice the engine work of the RSA-2048 and Ed25519 rows after it,
 * which do the same protocol work). Round-robin, so all shapes are seen before re-optimisation.
 */
function warmUp(provider, specs) {
  const runs = specs.flatMap((spec) => {
    const { provider: wrapped } = recordingProvider(provider);
    return [provider, wrapped].map((p) => {
      const contexts = spec.contextsFor(p);
      const state = spec.prepare?.(contexts);
      return () => spec.connect(contexts, state);
    });
  });
  const live = new Set(runs);
  const end = performance.now() + budget.warmupMs * 3;
  for (let round = 0; live.size > 0 && (round < 3 || performance.now() < end); round++) {
    for (const run of live) {
      // A kind the build cannot do yet is reported by its row (measureKind's probe), not here.
      if (probe(run) !== null) live.delete(run);
    }
  }
}

/**
 * All in-memory handshake rows for one provider. `pki` comes from makePki(); returns rows
 * `{ id, label, version, group, cert, provider, ...measureKind }`.
 */
export function handshakeRows(pki, provider, log = console.log) {
  const rows = [];
  const push = (row) => {
    rows.push(row);
    const r =
      row.status === 'ok'
        ? `${row.handshakesPerSecond.median.toFixed(1)} pairs/s, primitives ${row.primitivesMs.median.toFixed(2)} ms, ratio ${row.ratio.toFixed(2)}${row.speedupVsFull === undefined ? '' : `, ${row.speedupVsFull.toFixed(2)}× full (interleaved: full ${row.speedupFullMs.toFixed(3)} ms, resumed ${row.speedupResumedMs.toFixed(3)} ms)`}`
        : `${row.status}: ${row.reason}`;
    log(`  ${row.label.padEnd(58)} ${r}`);
  };
  /** Each row: its fields, the kind measureKind times, and the version whose full handshake it is compared with (resumed rows). */
  const specs = [];
  for (const cert of CERTS) {
    for (const group of GROUPS) {
      specs.push({
        row: {
          id: `tls13-full-${group}-${cert}`,
          label: `TLS 1.3 full, ${group}, ${pki[cert].label}`,
          version: 'TLSv1.3',
          kind: 'full',
          group,
          cert,
        },
        kind: {
          contextsFor: (p) => makeContexts(pki[cert], { group, provider: p }),
          connect: (c) => connectPair(c),
        },
      });
    }
  }
  // The client context caches verified (issuer, certificate) signatures and validated chains; cold caches
  // are what a client meeting a server for the first time pays (and what OpenSSL pays on every handshake).
  specs.push({
    row: {
      id: 'tls13-full-x25519-ecdsa-p256-coldcache',
      label: `TLS 1.3 full, x25519, ${pki['ecdsa-p256'].label}, chain cache cleared`,
      version: 'TLSv1.3',
      kind: 'full-cold',
      group: 'x25519',
      cert: 'ecdsa-p256',
    },
    kind: {
      contextsFor: (p) => makeContexts(pki['ecdsa-p256'], { group: 'x25519', provider: p }),
      connect: (c) => {
        c.client.signatureCache.clear();
        c.client.verifiedChainCache?.clear();
        return connectPair(c);
      },
    },
  });
  specs.push({
    row: {
      id: 'tls13-resumed-x25519-ecdsa-p256',
      label: `TLS 1.3 resumed (PSK-DHE), x25519, ${pki['ecdsa-p256'].label}`,
      version: 'TLSv1.3',
      kind: 'resumed',
      group: 'x25519',
      cert: 'ecdsa-p256',
    },
    kind: resumedKind(pki['ecdsa-p256'], 'x25519'),
    speedupOver: 'TLSv1.3',
  });
  const tls12Contexts = (p) => makeContexts(pki['ecdsa-p256'], { version: 'TLSv1.2', group: 'x25519', provider: p });
  for (const [kind, label] of [
    ['full', 'TLS 1.2 full, ECDHE x25519'],
    ['resumed', 'TLS 1.2 resumed (session ticket / id)'],
  ]) {
    specs.push({
      row: {
        id: `tls12-${kind}-x25519-ecdsa-p256`,
        label: `${label}, ${pki['ecdsa-p256'].label}`,
        version: 'TLSv1.2',
        kind,
        group: 'x25519',
        cert: 'ecdsa-p256',
      },
      kind:
        kind === 'full'
          ? { contextsFor: tls12Contexts, connect: (c) => connectPair(c) }
          : { ...resumedKind(pki['ecdsa-p256'], 'x25519'), contextsFor: tls12Contexts },
      ...(kind === 'resumed' ? { speedupOver: 'TLSv1.2' } : {}),
    });
  }
  warmUp(
    provider,
    specs.map((s) => s.kind),
  );
  for (const spec of specs) {
    const row = { ...spec.row, provider: provider.name, ...measureKind({ provider, ...spec.kind }) };
    push(spec.speedupOver === undefined ? row : withSpeedup(provider, spec.speedupOver, pki, row));
  }
  return rows;
}
