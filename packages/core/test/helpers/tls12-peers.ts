/**
 * The `Peer` shape the TLS 1.2 interop tests (and a few others) use, as a thin view over node-adapter's
 * child-process harness (processes.ts: own process group, captured output, hang guards, killed when the
 * worker exits) — one implementation of the plumbing for every interop test.
 */
import type { ChildProcess } from 'node:child_process';
import { start } from '../../../node-adapter/test/helpers/processes.js';

export { freePort, hasTool, within } from '../../../node-adapter/test/helpers/processes.js';

export interface Peer {
  readonly proc: ChildProcess;
  /** stdout then stderr, everything so far. */
  output(): string;
  /** Resolves with {@link output} once stdout or stderr matches; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  write(data: string): void;
  endInput(): void;
  /** The exit status (the group is killed after 15 s: callers wrap this in a shorter hang guard). */
  exited(): Promise<number>;
  /** Kills the process group (fire and forget). */
  stop(): void;
}

export function startPeer(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Peer {
  const child = start(file, args, env === undefined ? {} : { env });
  const output = () => `${child.stdout()}${child.stderr()}`;
  return {
    proc: child.proc,
    output,
    async waitFor(pattern, timeoutMs = 15_000) {
      await child.waitFor(pattern, timeoutMs);
      return output();
    },
    write: (data) => child.write(data),
    endInput: () => child.endInput(),
    exited: () => child.exited(),
    stop() {
      void child.stop();
    },
  };
}
