/**
 * Registers a target with vitest: replay of the saved corpus, replay of every crash regression, and a
 * bounded, seeded fuzz run (`pnpm fuzz` sets FUZZ_SECONDS for a longer, randomly seeded, saving run).
 */
import { describe, expect, it } from 'vitest';
import {
  budget,
  type FuzzTarget,
  formatFailures,
  fuzz,
  replay,
  savedCorpus,
  savedCrashes,
  savedSeeds,
} from './engine.js';

export interface SuiteOptions {
  /** CI executions for this target. */
  execs: number;
  /** CI seed (fixed: a failure reproduces with the same seed). */
  seed: number;
  /** Crash files (by name) whose bug belongs to an unfinished owner: replayed with `it.fails`. */
  knownFailures?: Record<string, string>;
}

export function fuzzSuite(target: FuzzTarget, options: SuiteOptions): void {
  describe(`fuzz ${target.name}`, () => {
    it('replays the saved seeds and corpus through the oracle', () => {
      const failures = replay(target, [...savedSeeds(target.name), ...savedCorpus(target.name)]);
      expect(failures, formatFailures(target.name, failures)).toEqual([]);
    });

    const crashes = savedCrashes(target.name);
    for (const crash of crashes) {
      const known = options.knownFailures?.[crash.file];
      const name = `crash regression ${crash.file}${known !== undefined ? ` (open: ${known})` : ''}`;
      (known !== undefined ? it.fails : it)(name, () => {
        const failures = replay(target, [crash.data]);
        expect(failures, formatFailures(target.name, failures)).toEqual([]);
      });
    }

    const opts = budget(options.execs, options.seed);
    const label = opts.seconds !== undefined ? `${opts.seconds} s` : `${opts.execs} executions`;
    it(
      `survives ${label} of coverage-guided fuzzing (seed ${opts.seed})`,
      async () => {
        const report = await fuzz(target, opts);
        console.log(
          `fuzz ${target.name}: ${report.execs} execs in ${(report.ms / 1000).toFixed(1)} s, corpus ${report.corpusBefore} → ${report.corpusAfter}, ${report.features} features, ${report.failures.length} failures`,
        );
        expect(report.failures, formatFailures(target.name, report.failures)).toEqual([]);
      },
      (opts.seconds ?? 0) * 1000 + 600_000,
    );
  });
}
