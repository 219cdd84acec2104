/**
 * What a CLI command may touch: its standard streams and environment. Commands get this instead of `process`, so
 * tests can run them in-process and the entry point stays one line.
 * @module
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A command: argv after the subcommand name → exit status. */
export type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

export function writeLine(stream: Writable, text: string): void {
  stream.write(`${text}\n`);
}

/** Everything on a stream until it ends. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
