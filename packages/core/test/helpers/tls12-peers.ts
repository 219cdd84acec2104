/**
 * Minimal child-process plumbing for the TLS 1.2 interop tests (openssl, node, python3 peers on
 * 127.0.0.1): spawn in its own process group, capture output, wait for a pattern, kill the group.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

export interface Peer {
  readonly proc: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  write(data: string): void;
  endInput(): void;
  exited(): Promise<number>;
  stop(): void;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live)
    if (p.pid !== undefined)
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
});

export function hasTool(name: string): boolean {
  return (
    spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined ||
    spawnSync(name, ['version'], { stdio: 'ignore' }).error === undefined
  );
}

export function startPeer(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Peer {
  const proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: env ?? process.env });
  live.add(proc);
  let text = '';
  let exitCode: number | undefined;
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const l of [...listeners]) l();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  proc.stdin?.on('error', () => {});
  const exit = new Promise<number>((resolve) =>
    proc.on('close', (code) => {
      live.delete(proc);
      exitCode = code ?? 128;
      for (const l of [...listeners]) l();
      resolve(exitCode);
    }),
  );
  return {
    proc,
    output: () => text,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${file}: no ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        function check() {
          if (pattern.test(text)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(text);
          } else if (exitCode !== undefined) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`${file} exited (${exitCode}) before ${pattern}; output:\n${text}`));
          }
        }
        listeners.add(check);
        check();
      });
    },
    write: (data) => proc.stdin?.write(data),
    endInput: () => proc.stdin?.end(),
    exited: () => exit,
    stop() {
      if (proc.pid !== undefined && exitCode === undefined) {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Rejects after `ms` with `what` (a hang guard). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
