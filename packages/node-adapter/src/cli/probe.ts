/**
 * `sanstls probe -connect HOST:PORT [-servername NAME]`: sends the conformance battery of edge-case and
 * malformed ClientHellos (`PROBES` of @sanstls/core/conformance), one TCP connection each, and prints
 * how the server answers — alert, version, group, suite — next to what the cited RFC section requires.
 * Exit status 0 when every row is `pass` or `ok`, 1 when a row is `FAIL` or `n/a`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { defaultProvider } from '@sanstls/core';
import {
  describeResponse,
  judgeProbe,
  PROBES,
  type Probe,
  type ProbeContext,
  type ProbeResponse,
  ProbeResponseReader,
  type ProbeVerdict,
} from '@sanstls/core/conformance';
import { helpText, type OptionTable, optionInt, optionValue, parseArgs, UsageError } from './args.js';
import { type CliIo, writeLine } from './io.js';

const options: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  connect: { kind: 'string', arg: 'host:port', help: 'Server to probe (default localhost:4433)' },
  servername: { kind: 'string', arg: 'name', help: 'SNI to send (default: the -connect host unless an IP address)' },
  noservername: { kind: 'flag', help: 'Send no server_name extension' },
  timeout: { kind: 'int', arg: 'ms', help: 'How long to wait for each answer (default 3000)' },
  only: { kind: 'string', arg: 'id', repeat: true, help: 'Run only this probe (repeatable); -list shows the ids' },
  list: { kind: 'flag', help: 'List the probes and exit' },
  json: { kind: 'flag', help: 'Print one JSON object per probe instead of the table' },
};

export interface ProbeRow {
  readonly probe: Probe;
  readonly response: ProbeResponse;
  readonly verdict: ProbeVerdict;
}

function parseConnect(spec: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(spec);
  if (match) return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  if (/^[^:]+$/.test(spec)) return { host: spec, port: 4433 };
  throw new UsageError(`probe: bad -connect value "${spec}"`, 1);
}

/** Runs one probe over a fresh TCP connection; never rejects. */
export function runProbe(
  probe: Probe,
  target: { host: string; port: number },
  ctx: ProbeContext,
  timeoutMs: number,
): Promise<ProbeResponse> {
  return new Promise((resolve) => {
    const reader = new ProbeResponseReader();
    const socket = net.connect({ host: target.host, port: target.port });
    let settled = false;
    const finish = (response: ProbeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const timer = setTimeout(() => finish(reader.end('timeout')), timeoutMs);
    socket.on('connect', () => {
      // One write per record: 1-byte records still arrive as one TCP stream, as a real client sends them.
      for (const record of probe.build(ctx)) socket.write(record);
    });
    socket.on('data', (chunk: Buffer) => {
      const response = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      if (response !== undefined) finish(response);
    });
    socket.on('end', () => finish(reader.end('eof', 'EOF')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EHOSTUNREACH') {
        finish({ kind: 'closed', detail: `cannot connect: ${err.code}` });
      } else {
        finish(reader.end('reset', err.code ?? err.message));
      }
    });
  });
}

/** Runs the battery (or `only` of it) against a server, one probe after another. */
export async function probeServer(
  target: { host: string; port: number },
  serverName: string | undefined,
  { timeoutMs = 3000, only }: { timeoutMs?: number; only?: readonly string[] } = {},
): Promise<ProbeRow[]> {
  const ctx: ProbeContext = {
    serverName,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    provider: defaultProvider,
  };
  const rows: ProbeRow[] = [];
  for (const probe of PROBES) {
    if (only !== undefined && only.length > 0 && !only.includes(probe.id)) continue;
    const response = await runProbe(probe, target, ctx, timeoutMs);
    rows.push({ probe, response, verdict: judgeProbe(probe, response) });
  }
  return rows;
}

/** The table `sanstls probe` prints. */
export function formatProbeTable(rows: readonly ProbeRow[]): string {
  const header = ['probe', 'answer', 'version', 'group', 'suite', 'verdict', 'expected', 'RFC'];
  const cells = rows.map(({ probe, response, verdict }) => {
    const d = describeResponse(response);
    return [probe.id, d.answer, d.version, d.group, d.suite, verdict, probe.expect.text, probe.section];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export async function probeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('probe', options, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('probe', '-connect host:port [options]', options));
    return 0;
  }
  if (args.flags.has('list')) {
    for (const p of PROBES) writeLine(io.stdout, `${p.id.padEnd(22)} ${p.title}  [${p.section}]`);
    return 0;
  }
  if (args.positional.length > 1) throw new UsageError(`probe: Extra option: "${args.positional[1]}"`, 1);
  const target = parseConnect(optionValue(args, 'connect') ?? args.positional[0] ?? 'localhost:4433');
  const only = args.values.get('only') ?? [];
  for (const id of only) {
    if (!PROBES.some((p) => p.id === id)) throw new UsageError(`probe: unknown probe "${id}" (see -list)`, 1);
  }
  const isIp = net.isIP(target.host) !== 0;
  const serverName = args.flags.has('noservername')
    ? undefined
    : (optionValue(args, 'servername') ?? (isIp ? undefined : target.host));
  const timeoutMs = optionInt(args, 'timeout') ?? 3000;
  const rows = await probeServer(target, serverName, { timeoutMs, only });
  if (rows.some((r) => r.response.kind === 'closed' && r.response.detail.startsWith('cannot connect'))) {
    writeLine(io.stderr, `probe: cannot connect to ${target.host}:${target.port}`);
    return 1;
  }
  if (args.flags.has('json')) {
    for (const { probe, response, verdict } of rows) {
      writeLine(
        io.stdout,
        JSON.stringify({
          probe: probe.id,
          section: probe.section,
          expected: probe.expect.text,
          verdict,
          ...describeResponse(response),
        }),
      );
    }
  } else {
    writeLine(io.stdout, `Probing ${target.host}:${target.port}${serverName ? ` (SNI ${serverName})` : ''}`);
    writeLine(io.stdout, formatProbeTable(rows));
    const count = (v: ProbeVerdict) => rows.filter((r) => r.verdict === v).length;
    writeLine(io.stdout, `${count('pass')} pass, ${count('ok')} ok, ${count('FAIL')} FAIL, ${count('n/a')} n/a`);
  }
  return rows.every((r) => r.verdict === 'pass' || r.verdict === 'ok') ? 0 : 1;
}
