/**
 * The coverage-guided fuzz loop (Jazzer.js cannot run on these machines: see issue #10).
 *
 * Inputs are run in batches; V8's block coverage is taken once per batch, and only a batch that reached
 * a new block is replayed input by input to find which inputs to keep. Every execution goes through
 * the target's oracle: only SSLError-family exceptions are allowed, each run has a time guard and a
 * memory bound, and a watchdog thread records the input and kills the process if one run never returns.
 *
 * Budgets: `execs` (CI: fixed, seeded, reproducible) or `seconds` (`pnpm fuzz`). With `save`, new corpus
 * entries and failures are written under test-vectors/fuzz/<target>/ and the corpus is minimised.
 *
 * Layout of test-vectors/fuzz/<target>/: `seeds/` hand-picked inputs (kept), `corpus/` what the fuzzer
 * found (rewritten, minimised, by `pnpm fuzz`), `crashes/<kind>-<hash>.bin` failures (regressions).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { SSLError } from '@sanstls/x509';
import { CoverageMap } from './coverage.js';
import { mutate, Rng } from './mutate.js';

export const FUZZ_DIR = new URL('../test-vectors/fuzz/', import.meta.url).pathname;

export interface FuzzTarget {
  /** Directory name under test-vectors/fuzz/. */
  name: string;
  /** Hand-made or real-world starting inputs. */
  seeds(): Uint8Array[];
  /** Feeds one input to the code under test; may throw an allowed error. */
  run(input: Uint8Array): void;
  /** Which exceptions are acceptable outcomes (default: the SSLError family). */
  allowed?(error: unknown): boolean;
  /** Structure-aware inputs (fast-check samples), mixed into the mutation stream. */
  generate?(seed: number, count: number): Uint8Array[];
  dictionary?: Uint8Array[];
  /** Inputs longer than this are truncated (default 8 KiB). */
  maxLength?: number;
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many executions (mutated or generated; the initial corpus is not counted). */
  execs?: number;
  /** Stop after this many seconds. */
  seconds?: number;
  /** Write new corpus entries and failures under test-vectors/fuzz/<target>/. */
  save?: boolean;
  /** A single run slower than this is a failure (a hang guard, generous on a loaded machine). */
  slowMs?: number;
  /** Heap + external memory growth within one run above this is a failure. */
  memoryBytes?: number;
  batch?: number;
}

export interface FuzzFailure {
  kind: 'exception' | 'slow' | 'memory';
  input: Uint8Array;
  message: string;
  file?: string;
}

export interface FuzzReport {
  target: string;
  execs: number;
  ms: number;
  corpusBefore: number;
  corpusAfter: number;
  features: number;
  failures: FuzzFailure[];
}

export const isSslError = (e: unknown): boolean => e instanceof SSLError;

export function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

export function corpusDir(target: string): string {
  return join(FUZZ_DIR, target, 'corpus');
}

export function crashDir(target: string): string {
  return join(FUZZ_DIR, target, 'crashes');
}

function readDir(dir: string): Uint8Array[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** The saved corpus of a target (sorted by file name: deterministic). */
export function savedCorpus(target: string): Uint8Array[] {
  return readDir(corpusDir(target));
}

/** Hand-picked starting inputs (openssl-made files): kept as they are, never minimised away. */
export function savedSeeds(target: string): Uint8Array[] {
  return readDir(join(FUZZ_DIR, target, 'seeds'));
}

/** Saved crash regressions: `<kind>-<hash>.bin`. */
export function savedCrashes(target: string): { file: string; data: Uint8Array }[] {
  const dir = crashDir(target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((file) => ({ file, data: new Uint8Array(readFileSync(join(dir, file))) }));
}

function describe(e: unknown): string {
  if (e instanceof Error)
    return `${e.constructor.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return String(e);
}

function heapNow(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/**
 * Runs one input under the oracle. Returns null when the outcome is acceptable.
 */
export function check(
  target: FuzzTarget,
  input: Uint8Array,
  limits: { slowMs?: number; memoryBytes?: number } = {},
): FuzzFailure | null {
  const allowed = target.allowed ?? isSslError;
  const before = heapNow();
  const start = performance.now();
  let failure: FuzzFailure | null = null;
  try {
    target.run(input.slice());
  } catch (e) {
    if (!allowed(e)) failure = { kind: 'exception', input, message: describe(e) };
  }
  const ms = performance.now() - start;
  if (failure === null && ms > (limits.slowMs ?? 2000)) {
    failure = { kind: 'slow', input, message: `one run took ${ms.toFixed(0)} ms` };
  }
  const grown = heapNow() - before;
  if (failure === null && grown > (limits.memoryBytes ?? 256 * 1024 * 1024)) {
    failure = { kind: 'memory', input, message: `one run grew the heap by ${(grown / 2 ** 20).toFixed(0)} MiB` };
  }
  return failure;
}

/**
 * A watchdog thread: when the fuzz loop's heartbeat stops for `hangMs`, it writes the current input to
 * `dir/hang-<hash>.bin`, prints where, and kills the process (a synchronous infinite loop cannot be
 * interrupted from inside).
 */
class Watchdog {
  private readonly beat = new Int32Array(new SharedArrayBuffer(8));
  private readonly input: Uint8Array;
  private readonly worker: Worker;

  constructor(dir: string, hangMs: number, maxLength: number) {
    this.input = new Uint8Array(new SharedArrayBuffer(maxLength));
    this.worker = new Worker(
      `const { workerData: w } = require('node:worker_threads');
       const fs = require('node:fs'); const path = require('node:path'); const crypto = require('node:crypto');
       let last = -1, since = Date.now();
       setInterval(() => {
         const now = Atomics.load(w.beat, 0);
         if (now !== last || Atomics.load(w.beat, 1) < 0) { last = now; since = Date.now(); return; }
         if (Date.now() - since < w.hangMs) return;
         const data = Buffer.from(w.input.subarray(0, Atomics.load(w.beat, 1)));
         const name = 'hang-' + crypto.createHash('sha256').update(data).digest('hex').slice(0, 16) + '.bin';
         fs.mkdirSync(w.dir, { recursive: true }); fs.writeFileSync(path.join(w.dir, name), data);
         process.stderr.write('\\nfuzz watchdog: a run did not return within ' + w.hangMs + ' ms; input saved to ' + path.join(w.dir, name) + '\\n');
         process.kill(process.pid, 'SIGKILL');
       }, 250);`,
      { eval: true, workerData: { beat: this.beat, input: this.input, dir, hangMs } },
    );
    this.worker.unref();
  }

  /** Marks the start of a run of `data`. */
  arm(data: Uint8Array): void {
    const n = Math.min(data.length, this.input.length);
    this.input.set(data.subarray(0, n));
    Atomics.store(this.beat, 1, n);
    Atomics.add(this.beat, 0, 1);
  }

  /** Between runs: nothing to guard. */
  disarm(): void {
    Atomics.store(this.beat, 1, -1);
    Atomics.add(this.beat, 0, 1);
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

function writeEntry(dir: string, data: Uint8Array, prefix = ''): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${prefix}${sha(data)}.bin`);
  writeFileSync(file, data);
  return file;
}

/**
 * Fuzzes one target. Failures are collected (not thrown) so the caller can print every reproducer.
 */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const maxLength = target.maxLength ?? 8192;
  const batch = options.batch ?? 32;
  const limits = { slowMs: options.slowMs, memoryBytes: options.memoryBytes };
  const rng = new Rng(options.seed);
  const coverage = new CoverageMap();
  const failures: FuzzFailure[] = [];
  const seenFailures = new Set<string>();
  const failureDir = options.save ? crashDir(target.name) : join(tmpdir(), 'sanstls-fuzz', target.name);
  const watchdog = new Watchdog(failureDir, Math.max(10_000, (options.slowMs ?? 2000) * 5), maxLength);
  const start = performance.now();

  const record = (f: FuzzFailure): void => {
    const key = `${f.kind}:${sha(f.input)}`;
    if (seenFailures.has(key)) return;
    seenFailures.add(key);
    if (options.save) f.file = writeEntry(crashDir(target.name), f.input, `${f.kind}-`);
    failures.push(f);
  };
  const runOne = (input: Uint8Array): void => {
    watchdog.arm(input);
    const f = check(target, input, limits);
    watchdog.disarm();
    if (f !== null) record(f);
  };

  // Initial corpus: seeds, then saved entries; keep those that reach something new.
  coverage.take(); // drop counts left by whatever ran before
  const corpus: { data: Uint8Array; features: Set<string> }[] = [];
  const initial = [...target.seeds(), ...savedSeeds(target.name), ...savedCorpus(target.name)];
  for (const data of initial) {
    runOne(data);
    const features = coverage.take();
    if (coverage.hasNew(features) || corpus.length === 0) {
      coverage.merge(features);
      corpus.push({ data: data.subarray(0, maxLength), features });
    }
  }
  const corpusBefore = corpus.length;
  const added: Uint8Array[] = [];

  let execs = 0;
  let generated: Uint8Array[] = [];
  const deadline = options.seconds !== undefined ? start + options.seconds * 1000 : Number.POSITIVE_INFINITY;
  const maxExecs = options.execs ?? Number.POSITIVE_INFINITY;
  const dictionary = target.dictionary ?? [];
  while (execs < maxExecs && performance.now() < deadline) {
    const inputs: Uint8Array[] = [];
    const n = Math.min(batch, maxExecs - execs);
    for (let i = 0; i < n; i++) {
      // One input in eight is structure-aware (fast-check) when the target can generate.
      if (target.generate !== undefined && rng.below(8) === 0) {
        if (generated.length === 0) generated = target.generate(rng.below(2 ** 31), 64);
        const g = generated.pop();
        if (g !== undefined) {
          inputs.push(g.subarray(0, maxLength));
          continue;
        }
      }
      const parent = rng.pick(corpus).data;
      inputs.push(mutate(parent, { rng, corpus: corpus.map((c) => c.data), dictionary, maxLength }));
    }
    for (const input of inputs) runOne(input);
    execs += inputs.length;
    const batchFeatures = coverage.take();
    if (!coverage.hasNew(batchFeatures)) continue;
    // Someone in this batch reached a new block: find who, one by one.
    for (const input of inputs) {
      runOne(input);
      const features = coverage.take();
      if (coverage.hasNew(features)) {
        coverage.merge(features);
        corpus.push({ data: input, features });
        added.push(input);
      }
    }
    coverage.merge(batchFeatures); // blocks only reached in the batch (state left by earlier runs)
  }
  await watchdog.stop();

  if (options.save) saveMinimisedCorpus(target.name, corpus);
  return {
    target: target.name,
    execs,
    ms: performance.now() - start,
    corpusBefore,
    corpusAfter: corpus.length,
    features: coverage.covered.size,
    failures,
  };
}

/**
 * Greedy set cover (libFuzzer's -merge in spirit): smallest entries first, keep one only when it adds
 * features the kept ones do not have. Rewrites the target's corpus directory.
 */
function saveMinimisedCorpus(target: string, corpus: { data: Uint8Array; features: Set<string> }[]): void {
  const kept: Uint8Array[] = [];
  const covered = new Set<string>();
  const bySize = [...corpus].sort((a, b) => a.data.length - b.data.length || sha(a.data).localeCompare(sha(b.data)));
  for (const entry of bySize) {
    let adds = false;
    for (const f of entry.features) if (!covered.has(f)) adds = true;
    if (!adds) continue;
    for (const f of entry.features) covered.add(f);
    kept.push(entry.data);
  }
  const dir = corpusDir(target);
  rmSync(dir, { recursive: true, force: true });
  for (const data of kept) writeEntry(dir, data);
}

/** Replays inputs through the oracle (saved corpus and crash regressions in CI). */
export function replay(target: FuzzTarget, inputs: Uint8Array[]): FuzzFailure[] {
  const out: FuzzFailure[] = [];
  for (const input of inputs) {
    const f = check(target, input, { slowMs: 5000 });
    if (f !== null) out.push(f);
  }
  return out;
}

/** Human-readable failure list with hex reproducers (first 256 bytes). */
export function formatFailures(target: string, failures: FuzzFailure[]): string {
  return failures
    .map(
      (f) =>
        `[${target}] ${f.kind}: ${f.message}\n  input (${f.input.length} bytes${f.file ? `, saved to ${f.file}` : ''}): ${Buffer.from(f.input.subarray(0, 256)).toString('hex')}`,
    )
    .join('\n');
}

/** Budget from the environment: `pnpm fuzz` sets FUZZ_SECONDS / FUZZ_SAVE; CI uses the fixed exec count. */
export function budget(ciExecs: number, seed: number): FuzzOptions {
  const seconds = process.env.FUZZ_SECONDS !== undefined ? Number(process.env.FUZZ_SECONDS) : undefined;
  const envSeed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;
  if (seconds !== undefined && seconds > 0) {
    return { seed: envSeed ?? Date.now() & 0x7fffffff, seconds, save: process.env.FUZZ_SAVE === '1' };
  }
  return { seed: envSeed ?? seed, execs: ciExecs, save: false };
}
