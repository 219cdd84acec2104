/**
 * Block coverage from V8's precise coverage (`node:inspector`), restricted to our packages' sources.
 *
 * In binary mode (`callCount: false`) V8 reports, for every function that ran since the last take, the
 * function's range (count 1) followed by the maximal nested ranges that did NOT run (count 0); ranges
 * that ran are merged into their parent and never listed. So a block is known to us the first time it
 * is reported as not run, and counts as covered in a later take when its function ran and no reported
 * not-run range contains it. Every take also resets the counters, so a take reports exactly what ran
 * since the previous one.
 *
 * Feature strings: `<url>#<fnStart>` (the function ran) and `<url>#<fnStart>:<start>-<end>` (a block of it).
 */
import { Session } from 'node:inspector';

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: CoverageRange[];
}
interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

/** Sources whose blocks count: our packages, not the test runner, fast-check or noble. */
export const OUR_SOURCES = /\/packages\/(x509|core)\/(src|dist)\//;

let session: Session | undefined;

/**
 * Starts V8's block coverage. Functions compiled before this carry no block counters, so a fuzz test
 * imports `fuzz/coverage.ts` FIRST (a side-effect import), before any module of ours is evaluated.
 */
export function startCoverage(): void {
  if (session !== undefined) return;
  session = new Session();
  session.connect();
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
}

function post<T>(method: string, params?: object): T {
  if (session === undefined) throw new Error('coverage session not started');
  let result: T | undefined;
  let error: Error | null = null;
  // The in-process inspector session answers synchronously.
  session.post(method, params ?? {}, (err, res) => {
    error = err;
    result = res as T;
  });
  if (error !== null) throw error;
  if (result === undefined) throw new Error(`${method}: no synchronous answer from the inspector`);
  return result;
}

/** V8's raw answer for our sources (for debugging a target's coverage). */
export function takeRawCoverage(filter: RegExp = OUR_SOURCES): ScriptCoverage[] {
  startCoverage();
  return post<{ result: ScriptCoverage[] }>('Profiler.takePreciseCoverage').result.filter((s) => filter.test(s.url));
}

export class CoverageMap {
  /** Blocks seen as not run at least once, per function key: `start-end` → [start, end]. */
  private readonly knownBlocks = new Map<string, Map<string, [number, number]>>();
  readonly covered = new Set<string>();

  constructor(private readonly filter: RegExp = OUR_SOURCES) {
    startCoverage();
  }

  /** Features hit since the previous take (of any CoverageMap: V8's counters are per isolate). */
  take(): Set<string> {
    const { result } = post<{ result: ScriptCoverage[] }>('Profiler.takePreciseCoverage');
    const features = new Set<string>();
    for (const script of result) {
      if (!this.filter.test(script.url)) continue;
      for (const fn of script.functions) {
        const [whole, ...nested] = fn.ranges;
        if (whole === undefined || whole.count === 0) continue;
        const fnKey = `${script.url}#${whole.startOffset}`;
        features.add(fnKey);
        let known = this.knownBlocks.get(fnKey);
        if (known === undefined) {
          known = new Map();
          this.knownBlocks.set(fnKey, known);
        }
        const notRun = nested.filter((r) => r.count === 0);
        for (const r of notRun) {
          const key = `${r.startOffset}-${r.endOffset}`;
          if (!known.has(key)) known.set(key, [r.startOffset, r.endOffset]);
        }
        for (const [key, [start, end]] of known) {
          if (!notRun.some((r) => r.startOffset <= start && end <= r.endOffset)) features.add(`${fnKey}:${key}`);
        }
      }
    }
    return features;
  }

  /** Adds `features` to the covered set; returns how many were new. */
  merge(features: Iterable<string>): number {
    let added = 0;
    for (const f of features) {
      if (!this.covered.has(f)) {
        this.covered.add(f);
        added++;
      }
    }
    return added;
  }

  hasNew(features: Iterable<string>): boolean {
    for (const f of features) if (!this.covered.has(f)) return true;
    return false;
  }
}

startCoverage();
