/**
 * Timing statistics: every figure is the median of timed batches after a warm-up, reported with its
 * spread (fastest and slowest batch, interquartile range) so a noisy run is visible as such.
 */
import { openSync, readSync } from 'node:fs';

/** Summary of per-operation samples (any unit): median, min, max, quartiles, relative spread. */
export function summarize(samples) {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const quantile = (q) => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  const median = quantile(0.5);
  return {
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    p25: quantile(0.25),
    p75: quantile(0.75),
    n: sorted.length,
    /** (p75 - p25) / median: the interquartile spread relative to the median. */
    spread: median === 0 ? 0 : (quantile(0.75) - quantile(0.25)) / median,
  };
}

/** Inverts a summary of times into one of rates (`perUnit / value`), swapping min and max. */
export function toRate(summary, perUnit = 1000) {
  const r = (v) => perUnit / v;
  return {
    median: r(summary.median),
    min: r(summary.max),
    max: r(summary.min),
    p25: r(summary.p75),
    p75: r(summary.p25),
    n: summary.n,
    spread: summary.spread,
    ...(summary.wall === undefined ? {} : { wall: toRate(summary.wall, perUnit) }),
  };
}

/** Scale knobs shared by all sections: `--quick` halves everything (used by smoke runs). */
export const budget = {
  batches: 7,
  batchMs: 150,
  warmupMs: 300,
  /** In-memory handshake pairs run before the first row of a provider (handshakes.mjs warmUp). */
  warmupPairs: 3000,
  /**
   * Warm-up of a socket bulk row, shared by its two directions: in a fresh process a 100 MB transfer after 33 MB
   * of warm-up ran about a third slower than the ones after it, V8 still optimising the record path.
   */
  socketBulkWarmupMs: 2000,
  /** Warm-up of an implementation's socket handshakes, every kind round-robin (sockets.mjs warmUpHandshakes). */
  socketHandshakeWarmupMs: 3000,
};
export function setQuick(quick) {
  if (quick)
    Object.assign(budget, {
      batches: 5,
      batchMs: 60,
      warmupMs: 100,
      warmupPairs: 300,
      socketBulkWarmupMs: 300,
      socketHandshakeWarmupMs: 300,
    });
}

/** CPU milliseconds (user + system, every thread of this process) since `from` (a process.cpuUsage()). */
export function cpuMsSince(from) {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/**
 * Milliseconds per call of synchronous `fn`: warm up for `warmupMs`, calibrate a batch size that lasts
 * about `batchMs`, then time `batches` batches. Returns a summary of per-call CPU time in ms (the
 * process's user+system time, so other load on a shared machine does not inflate it), with the
 * wall-clock summary under `wall`.
 */
export function measureSync(
  fn,
  { batches = budget.batches, batchMs = budget.batchMs, warmupMs = budget.warmupMs } = {},
) {
  let n = 1;
  const warmEnd = performance.now() + warmupMs;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t0;
    if (performance.now() >= warmEnd && (dt > batchMs / 4 || n >= 1 << 22)) {
      n = Math.max(1, Math.round((n * batchMs) / Math.max(dt, 0.001)));
      break;
    }
    if (dt < batchMs / 4) n *= 2;
  }
  const samples = [];
  const wall = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    wall.push((performance.now() - t0) / n);
    samples.push(cpuMsSince(c0) / n);
  }
  return { ...summarize(samples), wall: summarize(wall), perBatch: n };
}

/** Calls per batch so that one batch of `fn` lasts about `batchMs` (after `warmupMs` of warm-up). */
function calibrate(fn, batchMs, warmupMs) {
  let n = 1;
  const warmEnd = performance.now() + warmupMs;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t0;
    if (performance.now() >= warmEnd && (dt > batchMs / 4 || n >= 1 << 22)) {
      return Math.max(1, Math.round((n * batchMs) / Math.max(dt, 0.001)));
    }
    if (dt < batchMs / 4) n *= 2;
  }
}

/**
 * The main thread's run-queue delay so far, in ns (Linux /proc/thread-self/schedstat, second field: time
 * spent runnable but waiting for a CPU; exact when the running thread reads it, as the kernel adds each
 * wait when the thread is scheduled back in), or null where unavailable. The file stays open and is
 * re-read at offset 0 (≈ 4 µs). A stretch of synchronous work whose delay did not change ran without
 * being preempted: its wall time is then the thread's own time, whatever the machine's load.
 */
export const runQueueWaitNs = (() => {
  let fd;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return () => null;
  }
  const buf = Buffer.alloc(128);
  return () => {
    readSync(fd, buf, 0, 128, 0);
    let i = 0;
    while (buf[i] !== 32) i++;
    let v = 0;
    for (i++; buf[i] >= 48 && buf[i] <= 57; i++) v = v * 10 + (buf[i] - 48);
    return v;
  };
})();

/** CPU and wall ms one runQueueWaitNs() read costs (subtracted from batches that read it per chunk). */
const readCost = (() => {
  const N = 2000;
  runQueueWaitNs();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) runQueueWaitNs();
  return { wallMs: (performance.now() - t0) / N, cpuMs: cpuMsSince(c0) / N };
})();

/**
 * Synchronous functions measured in alternating batches (f0, f1, …, f0, f1, …) so that all see the same
 * machine state. Each entry of `fns` is a function or `{ fn, before, after, chunk }`: `before(round)` runs
 * after the untimed lead-in, right before the timed batch; `chunk(clean)` after each chunk of calls (a
 * batch runs in chunks of about `chunkMs`, each bracketed by reads of the run-queue delay: `clean` is true
 * when nothing preempted the chunk, null where that cannot be known); `after(round, batch)` after the
 * batch, with its record `{ n, cpuMs, wallMs, waitMs, cleanN, cleanWallMs, start, end }`: totals over the
 * batch (cpuMs and wallMs without the delay reads' own cost), the calls in clean chunks and their wall
 * time (the thread's own time, load-independent), `start`/`end` on the performance.now() clock. Returns,
 * per function, the CPU-time summary per call with `wall` beside it, the clean time per call and the raw
 * `batches`.
 */
export function measureRounds(
  fns,
  {
    batches = budget.batches,
    batchMs = budget.batchMs,
    warmupMs = budget.warmupMs,
    chunkMs = Number.POSITIVE_INFINITY,
  } = {},
) {
  const specs = fns.map((f) => (typeof f === 'function' ? { fn: f } : f));
  const counts = specs.map((s, i) => calibrate(s.fn, batchMs, i === 0 ? warmupMs : warmupMs / 2));
  const chunkSizes = counts.map((n) => Math.max(1, Math.round((n * chunkMs) / batchMs)));
  const records = specs.map(() => []);
  for (let round = 0; round < batches; round++) {
    specs.forEach((spec, i) => {
      const { fn } = spec;
      const n = counts[i];
      const size = chunkSizes[i];
      // Untimed lead-in of a third of a batch: the collections (and, on node:crypto, the native key handles
      // finalized) that the previous batch left behind land here, not in this batch's timing, and this
      // function reaches its own steady state. Without it a workload that allocates more hands part of its
      // cost to the one after it (measured: a resumed handshake after full ones took 2–3× its steady cost).
      for (let j = 0, lead = Math.ceil(n / 3); j < lead; j++) fn();
      spec.before?.(round);
      let cleanN = 0;
      let cleanWallMs = 0;
      let chunks = 0;
      const w0 = runQueueWaitNs();
      const c0 = process.cpuUsage();
      const start = performance.now();
      for (let done = 0; done < n; chunks++) {
        const m = Math.min(size, n - done);
        const a = runQueueWaitNs();
        const t0 = performance.now();
        for (let j = 0; j < m; j++) fn();
        const t1 = performance.now();
        const clean = a === null ? null : runQueueWaitNs() === a;
        if (clean) {
          cleanN += m;
          cleanWallMs += t1 - t0;
        }
        spec.chunk?.(clean);
        done += m;
      }
      const end = performance.now();
      const cpuMs = cpuMsSince(c0) - 2 * chunks * readCost.cpuMs;
      const w1 = runQueueWaitNs();
      const batch = {
        n,
        cpuMs,
        wallMs: end - start - 2 * chunks * readCost.wallMs,
        waitMs: w0 === null ? null : (w1 - w0) / 1e6,
        cleanN,
        cleanWallMs,
        start,
        end,
      };
      records[i].push(batch);
      spec.after?.(round, batch);
    });
  }
  return records.map((rs, i) => {
    const clean = rs.filter((r) => r.cleanN > 0);
    return {
      ...summarize(rs.map((r) => r.cpuMs / r.n)),
      wall: summarize(rs.map((r) => r.wallMs / r.n)),
      ...(clean.length === 0 ? {} : { clean: summarize(clean.map((r) => r.cleanWallMs / r.cleanN)) }),
      perBatch: counts[i],
      batches: rs,
    };
  });
}

/**
 * Two synchronous functions measured in alternating batches (a, b, a, b, …) so that both see the same
 * machine state; returns each one's CPU-time summary and the summary of the per-round ratios a/b, which
 * is far steadier than the ratio of two separately taken medians on a shared machine. Each timed batch
 * follows an untimed lead-in of the same function (see measureRounds).
 */
export function measureInterleaved(a, b, options) {
  const [ma, mb] = measureRounds([a, b], options);
  return withRatio(ma, mb);
}

/** Two sides of measureRounds as `{ a, b, ratio, ratioBest }`: per-round CPU ratios a/b and the fastest batches' ratio. */
export function withRatio(ma, mb) {
  const per = (m) => m.batches.map((r) => r.cpuMs / r.n);
  const sa = per(ma);
  const sb = per(mb);
  const strip = ({ batches, ...summary }) => summary;
  return {
    a: strip(ma),
    b: strip(mb),
    ratio: summarize(sa.map((v, i) => v / sb[i])),
    // Fastest batch of each side: on a loaded machine the least disturbed estimate of each cost.
    ratioBest: Math.min(...sa) / Math.min(...sb),
  };
}

/**
 * The same for an async `fn` (sockets): sequential calls, awaited one after the other; CPU time of the
 * whole process (both peers, the event loop and the kernel's loopback work charged to it).
 */
export async function measureAsync(
  fn,
  { batches = budget.batches, batchMs = budget.batchMs * 2, warmupMs = budget.warmupMs } = {},
) {
  let n = 1;
  const warmEnd = performance.now() + warmupMs;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    const dt = performance.now() - t0;
    if (performance.now() >= warmEnd && (dt > batchMs / 4 || n >= 1 << 16)) {
      n = Math.max(1, Math.round((n * batchMs) / Math.max(dt, 0.001)));
      break;
    }
    if (dt < batchMs / 4) n *= 2;
  }
  const samples = [];
  const wall = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    wall.push((performance.now() - t0) / n);
    samples.push(cpuMsSince(c0) / n);
  }
  return { ...summarize(samples), wall: summarize(wall), perBatch: n };
}

/** Number formatting for tables: 3 significant digits, thousands separated. */
export function fmt(v, digits = 3) {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return '∞';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs === 0) return '0';
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return v.toFixed(Math.min(decimals, 4));
}

/** "median (min–max)" for a summary. */
export function fmtSpread(s) {
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}
