/**
 * Child-process plumbing for the interop tests: every process is started in its own process group, tracked, and
 * killed (the whole group) when the test ends, when a hang guard fires, or when the test worker exits. Nothing here
 * knows about TLS.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** A started child with its captured output. */
export interface Child {
  readonly proc: ChildProcess;
  readonly command: string;
  /** Everything written to stdout / stderr so far (decoded as latin1 so binary output survives). */
  stdout(): string;
  stderr(): string;
  /** Resolves when the output (stdout or stderr) matches; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr' | 'both'): Promise<RegExpMatchArray>;
  /** Resolves with the exit status (a signal counts as 128 + n, as in a shell); kills the group after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number>;
  write(data: string | Uint8Array): void;
  endInput(): void;
  /** Kills the whole process group and waits for the exit. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

function killGroup(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      // already gone
    }
  }
}

// Last line of defence: a test worker that ends (normally or by a failed assertion) leaves no peer behind.
process.on('exit', () => {
  for (const proc of live) killGroup(proc);
});

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes to write to stdin right away. */
  input?: string | Uint8Array;
  /** Close stdin after `input` (default false: the caller decides). */
  endInput?: boolean;
}

export function start(file: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const proc = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() reaches grandchildren too
  });
  live.add(proc);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('latin1');
    notify();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('latin1');
    notify();
  });
  // A peer that exits early makes our writes fail with EPIPE; that is an outcome the test looks at, not a crash.
  proc.stdin?.on('error', () => {});
  let status: number | undefined;
  const exit = new Promise<number>((resolve) => {
    proc.on('close', (code, signal) => {
      live.delete(proc);
      status = code ?? 128 + (signal ? (signalNumbers[signal] ?? 64) : 64);
      notify();
      resolve(status);
    });
    proc.on('error', (e) => {
      err += `spawn error: ${e.message}\n`;
      live.delete(proc);
      status = 127;
      notify();
      resolve(127);
    });
  });
  const command = [file, ...args].join(' ');
  const child: Child = {
    proc,
    command,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 10_000, stream = 'both') {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const text = stream === 'stdout' ? out : stream === 'stderr' ? err : `${out}\n${err}`;
          const match = text.match(pattern);
          if (match) {
            done();
            resolve(match);
            return true;
          }
          if (status !== undefined) {
            done();
            reject(
              new Error(`${command} exited (${status}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`),
            );
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${command}: no ${pattern} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        const listener = (): void => {
          check();
        };
        if (!check()) listeners.add(listener);
      });
    },
    async exited(timeoutMs = 15_000) {
      const timer = setTimeout(() => killGroup(proc), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    write(data) {
      proc.stdin?.write(data);
    },
    endInput() {
      proc.stdin?.end();
    },
    async stop() {
      killGroup(proc);
      await exit;
    },
  };
  if (options.input !== undefined) child.write(options.input);
  if (options.endInput) child.endInput();
  return child;
}

/** Runs a command to completion (hang guard `timeoutMs`), returning its status and output. */
export async function run(
  file: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const child = start(file, args, { ...options, endInput: options.endInput ?? true });
  const status = await child.exited(options.timeoutMs ?? 15_000);
  return { status, stdout: child.stdout(), stderr: child.stderr() };
}

const toolCache = new Map<string, boolean>();
/** Whether an executable is on PATH. */
export function hasTool(name: string): boolean {
  let found = toolCache.get(name);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    toolCache.set(name, found);
  }
  return found;
}

let netnsWorks: boolean | undefined;
/** Whether this machine lets us create a private network namespace (`unshare -rn`) with a working loopback. */
export function canUsePrivateNetns(): boolean {
  if (netnsWorks === undefined) {
    netnsWorks =
      hasTool('unshare') &&
      hasTool('ip') &&
      spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  }
  return netnsWorks;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for peers that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Rejects after `ms` with `what` in the message: a hang guard around a promise. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang guard: ${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
