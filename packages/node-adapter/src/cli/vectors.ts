/**
 * `sanstls vectors [FILE|DIR…]`: replays RFC 8448 traces (`test-vectors/rfc8448/*.json`, the default)
 * and transcripts recorded with @sanstls/core/conformance's TranscriptRecorder (`sanstls record`, either
 * side) through the engine, and prints pass/fail per message the engine sends, then the first differing
 * byte of a failed run. RFC 8448 §4 resumes §3's ticket: the §3 trace is looked for among the files given
 * and beside the §4 file. Exit status 0 when every run passes, 1 when one fails or a file cannot be read.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SSLError } from '@sanstls/core';
import {
  parseRfc8448Trace,
  parseTranscript,
  type ReplayResult,
  type Rfc8448Trace,
  replayTranscript,
  runRfc8448,
  TRANSCRIPT_FORMAT,
} from '@sanstls/core/conformance';
import { helpText, type OptionTable, parseArgs } from './args.js';
import { type CliIo, writeLine } from './io.js';

const options: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  quiet: { kind: 'flag', help: 'One line per run instead of one per message' },
  json: { kind: 'flag', help: 'One JSON object per run (name, status, messages, difference)' },
};

/** test-vectors/rfc8448 of the repository: from the working directory up, else next to this package. */
export function defaultVectorDirectory(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, 'test-vectors', 'rfc8448');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  // src/cli/vectors.ts or dist/cli/vectors.js → packages/node-adapter/… → the repository root.
  const beside = fileURLToPath(new URL('../../../../test-vectors/rfc8448', import.meta.url));
  return existsSync(beside) ? beside : undefined;
}

function expand(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.json')) out.push(join(p, f));
    } else {
      out.push(p);
    }
  }
  return out;
}

interface Run {
  readonly file: string;
  readonly name: string;
  readonly skip?: string;
  readonly result?: ReplayResult;
}

/** The RFC 8448 traces among `files` and beside `file` (§4 needs §3's), each read once. */
function relatedTraces(
  file: string,
  files: readonly string[],
  cache: Map<string, Rfc8448Trace | null>,
): Rfc8448Trace[] {
  const dir = dirname(file);
  const siblings = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
  const out: Rfc8448Trace[] = [];
  for (const candidate of new Set([...files, ...siblings])) {
    if (resolve(candidate) === resolve(file)) continue;
    let trace = cache.get(resolve(candidate));
    if (trace === undefined) {
      try {
        trace = parseRfc8448Trace(readFileSync(candidate, 'utf8'));
      } catch {
        trace = null; // a transcript, or not a trace at all: not related
      }
      cache.set(resolve(candidate), trace);
    }
    if (trace !== null) out.push(trace);
  }
  return out;
}

function runsOf(file: string, related: () => Rfc8448Trace[]): Run[] {
  const text = readFileSync(file, 'utf8');
  const short = file.split(/[\\/]/).pop() ?? file;
  const head = JSON.parse(text) as { format?: unknown; items?: unknown };
  if (head.format === TRANSCRIPT_FORMAT) {
    const transcript = parseTranscript(text);
    return [
      {
        file: short,
        name: transcript.description ?? `transcript (${transcript.side})`,
        result: replayTranscript(transcript),
      },
    ];
  }
  const trace = parseRfc8448Trace(text);
  return runRfc8448(trace, undefined, trace.section === 4 ? related() : []).map((r) => ({ file: short, ...r }));
}

export async function vectorsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('vectors', options, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('vectors', '[FILE|DIR ...] [options]', options));
    return 0;
  }
  let paths = args.positional;
  if (paths.length === 0) {
    const dir = defaultVectorDirectory(process.cwd());
    if (dir === undefined) {
      writeLine(io.stderr, 'vectors: no FILE given and no test-vectors/rfc8448 directory found');
      return 1;
    }
    paths = [dir];
  }
  const quiet = args.flags.has('quiet');
  const json = args.flags.has('json');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let messages = 0;
  const files = expand(paths);
  const traceCache = new Map<string, Rfc8448Trace | null>();
  for (const file of files) {
    let runs: Run[];
    try {
      runs = runsOf(file, () => relatedTraces(file, files, traceCache));
    } catch (e) {
      failed++;
      const why = e instanceof SSLError ? e.message : e instanceof Error ? e.message : String(e);
      if (json) writeLine(io.stdout, JSON.stringify({ file, status: 'error', error: why }));
      else writeLine(io.stdout, `${file}: ERROR ${why}`);
      continue;
    }
    for (const run of runs) {
      if (run.result === undefined) {
        skipped++;
        if (json)
          writeLine(io.stdout, JSON.stringify({ file: run.file, name: run.name, status: 'skip', reason: run.skip }));
        else writeLine(io.stdout, `${run.file}: ${run.name}\n  skip  ${run.skip}`);
        continue;
      }
      const r = run.result;
      const ok = r.ok && r.messages.every((m) => m.status === 'pass');
      if (ok) passed++;
      else failed++;
      messages += r.messages.length;
      if (json) {
        writeLine(
          io.stdout,
          JSON.stringify({
            file: run.file,
            name: run.name,
            status: ok ? 'pass' : 'FAIL',
            messages: r.messages,
            difference: r.difference?.where,
            error: r.error?.message,
            notes: r.notes,
          }),
        );
        continue;
      }
      writeLine(io.stdout, `${run.file}: ${run.name}`);
      if (!quiet) {
        for (const m of r.messages) {
          const status = m.status === 'pass' ? 'pass' : m.status === 'FAIL' ? 'FAIL' : 'MISS';
          const detail = m.detail ? `  (${m.detail})` : '';
          writeLine(io.stdout, `  ${status}  flight ${m.flight} record ${m.record}  ${m.name}${detail}`);
        }
      }
      if (r.difference) writeLine(io.stdout, `  first difference: ${r.difference.where}`);
      if (r.error && !ok) writeLine(io.stdout, `  engine error: ${r.error.message}`);
      for (const note of r.notes) writeLine(io.stdout, `  note: ${note}`);
      writeLine(io.stdout, `  ${ok ? 'PASS' : 'FAIL'} (${r.messages.length} messages)`);
    }
  }
  if (!json)
    writeLine(io.stdout, `${passed} passed, ${failed} failed, ${skipped} skipped (${messages} messages checked)`);
  return failed === 0 ? 0 : 1;
}
