/**
 * Timing statistics: every figure is the median of timed batches after a warm-up, reported with its
 * spread (fastest and slowest batch, interquartile range) so a noisy run is visible as such.
 */

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
};
export function setQuick(quick) {
  if (quick) Object.assign(budget, { batches: 5, batchMs: 60, warmupMs: 100 });
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
 * Two synchronous functions measured in alternating batches (a, b, a, b, …) so that both see the same
 * machine state; returns each one's CPU-time summary and the summary of the per-round ratios a/b, which
 * is far steadier than the ratio of two separately taken medians on a shared machine. Each timed batch
 * follows an untimed lead-in of the same function (see `run`).
 */
export function measureInterleaved(
  a,
  b,
  { batches = budget.batches, batchMs = budget.batchMs, warmupMs = budget.warmupMs } = {},
) {
  const na = calibrate(a, batchMs, warmupMs);
  const nb = calibrate(b, batchMs, warmupMs / 2);
  const sa = [];
  const sb = [];
  const wa = [];
  const wb = [];
  const run = (fn, n, cpu, wall) => {
    // Untimed lead-in of a third of a batch: the collections (and, on node:crypto, the native key handles
    // finalized) that the other side's batch left behind land here, not in this side's timing, and this
    // side reaches its own steady state. Without it a workload that allocates more hands part of its cost
    // to the one after it (measured: a resumed handshake after full ones took 2–3× its steady cost).
    for (let i = 0, lead = Math.ceil(n / 3); i < lead; i++) fn();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    wall.push((performance.now() - t0) / n);
    cpu.push(cpuMsSince(c0) / n);
  };
  for (let i = 0; i < batches; i++) {
    run(a, na, sa, wa);
    run(b, nb, sb, wb);
  }
  return {
    a: { ...summarize(sa), wall: summarize(wa), perBatch: na },
    b: { ...summarize(sb), wall: summarize(wb), perBatch: nb },
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
