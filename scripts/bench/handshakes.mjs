/**
 * In-memory handshakes per second (both sides' CPU in one thread) and, for the same handshakes, the
 * primitive lower bound: the provider calls one handshake really makes (recorded through a counting
 * wrapper around the real provider), replayed against the bare provider and timed in the same run.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { connectPair, handshake, makeContexts, makePair } from './pair.mjs';
import {
  CATEGORIES,
  countByCategory,
  record,
  recordingProvider,
  replayer,
  timingProvider,
} from './recording-provider.mjs';
import { budget, measureInterleaved, measureRounds, runQueueWaitNs, summarize, toRate, withRatio } from './stats.mjs';

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
 * The wall-clock ms the timing wrapper adds to each timed interval by itself (its bookkeeping and the
 * clock reads inside the interval), measured as the time it reports for an empty call.
 */
function timerOverheadMs() {
  const empty = { name: 'empty', fastAesGcm: false, randomBytes: () => undefined };
  const { provider, clock } = timingProvider(empty);
  clock.on = true;
  const N = 20000;
  const runs = [];
  for (let r = 0; r < 5; r++) {
    clock.reset();
    for (let i = 0; i < N; i++) {
      clock.k = 0;
      provider.randomBytes(0);
    }
    runs.push(clock.times[0] / N);
  }
  return Math.min(...runs);
}

/** Garbage collections observed (PerformanceObserver 'gc' entries), kept until `take()`. */
function gcObserver() {
  const entries = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      entries.push({ start: e.startTime, ms: e.duration, kind: e.detail?.kind ?? e.kind });
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    /** Lets pending entries arrive (they are queued behind the synchronous batches), then stops observing. */
    async take() {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      obs.disconnect();
      return entries;
    },
  };
}

/** Collections started inside [start, end): count, ms, and the ms of those that started inside a span of `spans`. */
function gcIn(gcs, start, end, spans) {
  let count = 0;
  let ms = 0;
  let inCalls = 0;
  let scavenges = 0;
  let j = 0;
  for (const g of gcs) {
    if (g.start < start || g.start >= end) continue;
    count++;
    ms += g.ms;
    if (g.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    if (spans !== undefined) {
      // Spans are in time order; GC entries are too.
      while (j < spans.length / 2 && spans[2 * j + 1] < g.start) j++;
      if (j < spans.length / 2 && spans[2 * j] <= g.start) inCalls += g.ms;
    }
  }
  return { count, ms, inCalls, scavenges };
}

/**
 * Measures one handshake kind. `connect(contexts)` performs one complete handshake pair on contexts made
 * by `contextsFor(provider)`; the same function runs timed (bare provider), recorded (recording wrapper)
 * and timed call by call (timing wrapper: the provider's calls in situ).
 *
 * Four batches alternate in each round: real handshakes and the replay of their provider calls on the
 * bare provider (the row's figures and ratio), then handshakes through the timing wrapper and the replay
 * through the same wrapper. The last two give, in the same round, what the same calls cost inside
 * handshakes and in the replay, so handshake − floor splits into primitives slower in situ and engine
 * work outside provider calls. Those figures are main-thread time: wall time minus the thread's run-queue
 * delay (other processes' load), the timed calls' share of that delay removed in proportion to their
 * share of the batch's wall time (preemption lands at random), less the wrapper's own overhead per call.
 */
async function measureKind({ provider, contextsFor, connect, prepare }) {
  const bare = contextsFor(provider);
  const { provider: wrapped, recorder } = recordingProvider(provider);
  const recorded = contextsFor(wrapped);
  const timing = timingProvider(provider);
  const timed = contextsFor(timing.provider);
  const bareState = prepare?.(bare);
  const recordedState = prepare?.(recorded);
  const timedState = prepare?.(timed);
  const failure =
    probe(() => connect(bare, bareState)) ??
    probe(() => connect(recorded, recordedState)) ??
    probe(() => connect(timed, timedState));
  if (failure !== null) return { status: 'not implemented yet', reason: failure };
  // Steady state for the recording (caches warm exactly as in the timed loop), then one handshake's log.
  for (let i = 0; i < 3; i++) connect(recorded, recordedState);
  const log = record(recorder, () => connect(recorded, recordedState));
  const replay = replayer(provider, log);
  const replayTiming = timingProvider(provider);
  const replayTimed = replayer(replayTiming.provider, log);
  replay(); // checks that every replayed open authenticates and every verification succeeds
  // The in-situ call sequence must be the log's, call for call, to compare per category.
  const clock = timing.clock;
  const rclock = replayTiming.clock;
  clock.on = true;
  rclock.on = true;
  clock.shape = [];
  clock.k = 0;
  connect(timed, timedState);
  const shape = clock.shape;
  clock.shape = null;
  const aligned = shape.length === log.length && shape.every((e, k) => e.op === log[k].op && e.cat === log[k].cat);
  const overhead = timerOverheadMs();
  const calls = log.length;
  const perRound = { situ: [], replay: [] };
  /** A timed side: per-call times summed over the batch's clean chunks (see measureRounds), zeroed per chunk. */
  const timedSide = (c, fn, into) => {
    const cleanTimes = new Float64Array(calls);
    const allTimes = new Float64Array(calls);
    return {
      fn: () => {
        c.k = 0;
        fn();
      },
      before: () => {
        c.reset();
        cleanTimes.fill(0);
        allTimes.fill(0);
      },
      chunk: (clean) => {
        for (let k = 0; k < calls; k++) {
          if (clean !== false) cleanTimes[k] += c.times[k];
          allTimes[k] += c.times[k];
        }
        c.times.fill(0, 0, calls);
      },
      after: (_round, batch) => {
        into.push({
          ...batch,
          times: batch.cleanN === 0 ? null : cleanTimes.map((t) => t / batch.cleanN),
          allTimes: allTimes.map((t) => t / batch.n),
          spans: c.spans.slice(0, 2 * c.nspans),
        });
      },
    };
  };
  const gc = gcObserver();
  // Handshakes and the replay of their primitives in alternating batches; the ratio is taken per round.
  // Chunks of about 1 ms (one handshake, or a few replays of a short one) so that many run unpreempted.
  const [mh, mf] = measureRounds(
    [
      () => connect(bare, bareState),
      () => replay(),
      timedSide(clock, () => connect(timed, timedState), perRound.situ),
      timedSide(rclock, () => replayTimed(), perRound.replay),
    ],
    { chunkMs: 1 },
  );
  const gcs = await gc.take();
  const m = withRatio(mh, mf);
  const handshakeMs = m.a;
  const primitivesMs = m.b;
  const inSitu = inSituFigures({ mh, mf, perRound, gcs, overhead, log, aligned });
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
    inSitu,
  };
}

/**
 * The decomposition of handshake − floor from one kind's rounds (see measureKind), per pair, in
 * main-thread ms: `handshakeMs` and `floorMs` (bare batches), `situMs` (the provider calls timed inside
 * handshakes) and `replayMs` (the same calls timed in the replay), `excessMs` = situ − replay (primitives
 * slower in situ), `engineMs` = handshake − situ (work outside provider calls), each the median over
 * rounds; per category in situ vs replay; collections per pair in each kind of batch (and how much of
 * the in-situ and replay collections' time fell inside provider calls); other threads' CPU per pair.
 */
function inSituFigures({ mh, mf, perRound, gcs, overhead, log, aligned }) {
  // Main-thread ms per pair. A round whose four batches all had unpreempted chunks uses those (exact: the
  // thread's own time); on a machine so loaded that a batch had none, the batch's wall time less the run-
  // queue delay, the timed calls' share of that delay taken in proportion to their share of the wall time
  // (an estimate: preemption lands at random). Timed calls less the timer's own part per call.
  const all = log.map((_e, k) => k);
  const sum = (times, idx) => idx.reduce((acc, k) => acc + times[k], 0);
  const quartets = mh.batches.map((h, r) => [h, mf.batches[r], perRound.situ[r], perRound.replay[r]]);
  const figures = (q) => {
    const clean = q.every((b) => b.cleanN > 0);
    const share = (b) => 1 - (b.waitMs ?? 0) / b.wallMs;
    const own = (b) => (clean ? b.cleanWallMs / b.cleanN : (b.wallMs - (b.waitMs ?? 0)) / b.n);
    const callsMs = (b, idx) => (clean ? sum(b.times, idx) : sum(b.allTimes, idx) * share(b)) - idx.length * overhead;
    return { clean, own, callsMs };
  };
  const measured = quartets.map((q) => {
    const [h, f, s, p] = q;
    const { clean, own, callsMs } = figures(q);
    return {
      clean,
      q,
      callsMs,
      H: own(h),
      F: own(f),
      S: callsMs(s, all),
      R: callsMs(p, all),
      other: [h, f].map((b) => (b.cpuMs - (b.wallMs - (b.waitMs ?? 0))) / b.n),
    };
  });
  const batchesAll = quartets.flat();
  // Unpreempted rounds when there are enough of them to take a median; else every round, estimated.
  const cleanRounds = measured.filter((r) => r.clean);
  const rounds = cleanRounds.length >= 3 ? cleanRounds : measured;
  const med = (f) => summarize(rounds.map(f));
  const perCategory = CATEGORIES.map((cat) => {
    const idx = log.flatMap((e, k) => (e.cat === cat ? [k] : []));
    if (idx.length === 0) return null;
    return {
      category: cat,
      count: idx.length,
      situMs: summarize(rounds.map((r) => r.callsMs(r.q[2], idx))).median,
      replayMs: summarize(rounds.map((r) => r.callsMs(r.q[3], idx))).median,
    };
  }).filter((c) => c !== null);
  // Collections are rare events (a few per batch, or none): totals over all batches of a kind, per pair.
  const gcPer = (batches, withSpans) => {
    const t = { n: 0, count: 0, scavenges: 0, ms: 0, inCalls: 0 };
    for (const b of batches) {
      const g = gcIn(gcs, b.start, b.end, withSpans ? b.spans : undefined);
      t.n += b.n;
      t.count += g.count;
      t.scavenges += g.scavenges;
      t.ms += g.ms;
      t.inCalls += g.inCalls;
    }
    return {
      count: t.count / t.n,
      scavenges: t.scavenges / t.n,
      ms: t.ms / t.n,
      inCallsMs: withSpans ? t.inCalls / t.n : undefined,
    };
  };
  return {
    status: 'ok',
    aligned,
    /** Whether clean chunks could be told apart (Linux schedstat); false: figures are plain wall time. */
    loadIndependent: mh.batches[0].waitMs !== null,
    /** 'unpreempted chunks' (load-independent) or 'wall time less run-queue delay' (estimated, heavy load). */
    method: rounds === cleanRounds ? 'unpreempted chunks' : 'wall time less run-queue delay',
    rounds: rounds.length,
    cleanShare: batchesAll.reduce((t, b) => t + b.cleanN, 0) / batchesAll.reduce((t, b) => t + b.n, 0),
    timerOverheadUs: overhead * 1000,
    handshakeMs: med((r) => r.H).median,
    floorMs: med((r) => r.F).median,
    situMs: med((r) => r.S).median,
    replayMs: med((r) => r.R).median,
    excessMs: med((r) => r.S - r.R),
    engineMs: med((r) => r.H - r.S),
    gapMs: med((r) => r.H - r.F),
    situOverReplay: med((r) => r.S / r.R),
    /** CPU per pair of the process's other threads (GC helpers, compiler) beside the main thread. */
    otherThreadsMs: { handshake: med((r) => r.other[0]).median, floor: med((r) => r.other[1]).median },
    /** Median share of wall time the main thread waited for a CPU (the machine's load as this row saw it). */
    waitShare: summarize(batchesAll.map((b) => (b.waitMs ?? 0) / b.wallMs)).median,
    perCategory,
    gc: {
      handshake: gcPer(mh.batches, false),
      floor: gcPer(mf.batches, false),
      situ: gcPer(perRound.situ, true),
      replay: gcPer(perRound.replay, true),
    },
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
 * Every kind's code paths run, with the bare, the recording and the timing provider, before any row is
 * timed, round-robin, until about `budget.warmupPairs` pairs have run (or `budget.warmupMs` × 100 of the
 * thread's own time has passed). Two reasons (issue #9):
 * - V8 specialises the engine's call sites to the provider objects and message shapes it has seen; a kind
 *   or provider met for the first time in the middle of the run deoptimises code the rows after it share,
 *   and the row that meets it pays for the re-optimisation (in one run the first node:crypto row, TLS 1.3
 *   full with ECDSA P-256, showed twice the engine work of the RSA-2048 and Ed25519 rows after it).
 * - Engine functions run once or a few times per handshake, so V8 finds them hot only after thousands of
 *   handshakes (measured with --trace-opt, both providers: optimising compilations went on until about
 *   3,000 pairs, e.g. clientHelloExtensions and verifyChainWith at 1,000–2,000, and stopped after). Those
 *   compilations run on background threads whose CPU the process's CPU time includes: rows timed before
 *   then carried them (node:crypto: about 0.3 ms per pair of other threads' CPU in handshake batches vs
 *   0.01 ms in replay batches), which the replay of the same primitives never triggers.
 * Returns the pairs run and the seconds taken.
 */
function warmUp(provider, specs) {
  const runs = specs.flatMap((spec) => {
    const { provider: wrapped } = recordingProvider(provider);
    const timing = timingProvider(provider);
    timing.clock.on = true;
    return [provider, wrapped, timing.provider].map((p) => {
      const contexts = spec.contextsFor(p);
      const state = spec.prepare?.(contexts);
      return () => spec.connect(contexts, state);
    });
  });
  const live = new Set(runs);
  const start = performance.now();
  // The cap is on this thread's own time (wall less run-queue delay), so a loaded machine does not cut the
  // warm-up short; where the delay cannot be read, on wall time.
  const wait0 = runQueueWaitNs();
  const ownMs = () => performance.now() - start - (wait0 === null ? 0 : (runQueueWaitNs() - wait0) / 1e6);
  const capMs = budget.warmupMs * 100;
  let pairs = 0;
  for (let round = 0; live.size > 0 && (round < 3 || (pairs < budget.warmupPairs && ownMs() < capMs)); round++) {
    for (const run of live) {
      // A kind the build cannot do yet is reported by its row (measureKind's probe), not here.
      if (probe(run) !== null) live.delete(run);
      else pairs++;
    }
  }
  return { pairs, seconds: (performance.now() - start) / 1000, ownSeconds: ownMs() / 1000 };
}

/**
 * All in-memory handshake rows for one provider. `pki` comes from makePki(); returns rows
 * `{ id, label, version, group, cert, provider, ...measureKind }`.
 */
export async function handshakeRows(pki, provider, log = console.log, { rows: only } = {}) {
  const rows = [];
  const push = (row) => {
    rows.push(row);
    const r =
      row.status === 'ok'
        ? `${row.handshakesPerSecond.median.toFixed(1)} pairs/s, primitives ${row.primitivesMs.median.toFixed(2)} ms, ratio ${row.ratio.toFixed(2)}${row.speedupVsFull === undefined ? '' : `, ${row.speedupVsFull.toFixed(2)}× full (interleaved: full ${row.speedupFullMs.toFixed(3)} ms, resumed ${row.speedupResumedMs.toFixed(3)} ms)`}`
        : `${row.status}: ${row.reason}`;
    log(`  ${row.label.padEnd(58)} ${r}`);
    const d = row.inSitu;
    if (d?.status === 'ok') {
      log(
        `    in situ: handshake ${d.handshakeMs.toFixed(3)} = calls ${d.situMs.toFixed(3)} + engine ${d.engineMs.median.toFixed(3)} ms; replay ${d.replayMs.toFixed(3)} (floor ${d.floorMs.toFixed(3)}); calls in situ − replay ${d.excessMs.median.toFixed(3)} ms (×${d.situOverReplay.median.toFixed(3)}); GC/pair: hs ${d.gc.handshake.ms.toFixed(3)} ms (${d.gc.handshake.scavenges.toFixed(2)} scav), replay ${d.gc.floor.ms.toFixed(3)} ms (${d.gc.floor.scavenges.toFixed(2)}); in calls ${d.gc.situ.inCallsMs.toFixed(3)} vs ${d.gc.replay.inCallsMs.toFixed(3)}; wait ${(d.waitShare * 100).toFixed(1)}%${d.aligned ? '' : ' (call sequence differs from the log)'}`,
      );
      log(
        `    per category (situ/replay ms): ${d.perCategory.map((c) => `${c.category} ${c.situMs.toFixed(3)}/${c.replayMs.toFixed(3)}`).join('; ')}`,
      );
    }
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
  const warm = warmUp(
    provider,
    specs.filter((s) => only === undefined || only.test(s.row.id)).map((s) => s.kind),
  );
  log(
    `  (warm-up: ${warm.pairs} pairs round-robin over every kind, ${warm.seconds.toFixed(1)} s, ${warm.ownSeconds.toFixed(1)} s unpreempted)`,
  );
  for (const spec of specs) {
    if (only !== undefined && !only.test(spec.row.id)) continue;
    const row = {
      ...spec.row,
      provider: provider.name,
      warmUp: warm,
      ...(await measureKind({ provider, ...spec.kind })),
    };
    push(spec.speedupOver === undefined ? row : withSpeedup(provider, spec.speedupOver, pki, row));
  }
  return rows;
}
