#!/usr/bin/env node
/**
 * The `sanstls` command: OpenSSL's `s_server`, `s_client`, `x509` and `verify` with OpenSSL's flag spelling,
 * output lines and exit statuses, so scripts written for `openssl` can drive sanstls.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SSLError } from '@sanstls/core';
import { UsageError } from './cli/args.js';
import { type CliIo, type Command, writeLine } from './cli/io.js';
import { probeCommand } from './cli/probe.js';
import { recordCommand } from './cli/record.js';
import { sClientCommand } from './cli/s_client.js';
import { sServerCommand } from './cli/s_server.js';
import { vectorsCommand } from './cli/vectors.js';
import { verifyCommand } from './cli/verify.js';
import { x509Command } from './cli/x509.js';

const commands: Record<string, { run: Command; summary: string }> = {
  s_server: { run: sServerCommand, summary: 'TLS server: echo, or -www page' },
  s_client: { run: sClientCommand, summary: 'TLS client: stdin to the peer, the peer to stdout' },
  x509: { run: x509Command, summary: "print a certificate as Python's getpeercert() dict" },
  verify: { run: verifyCommand, summary: 'verify certificate chains as openssl verify' },
  // Conformance toolkit (issue #11): not OpenSSL commands.
  probe: { run: probeCommand, summary: 'send edge-case ClientHellos to a server; table with RFC sections' },
  record: { run: recordCommand, summary: 'connect and write the connection as a transcript (JSON)' },
  vectors: { run: vectorsCommand, summary: 'replay RFC 8448 traces and recorded transcripts, per message' },
};

function usage(): string {
  const lines = ['Usage: sanstls <command> [options]', '', 'Commands:'];
  for (const [name, { summary }] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${summary}`);
  lines.push('', 'Run `sanstls <command> -help` for the options of one command.');
  return `${lines.join('\n')}\n`;
}

/** Runs one command line; resolves with the exit status. Errors are reported on `io.stderr`, never thrown. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-help' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    writeLine(io.stderr, `Invalid command '${name}'; type "sanstls help" for a list.`);
    return 1;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      writeLine(io.stderr, err.message);
      return err.status;
    }
    if (err instanceof SSLError) {
      writeLine(io.stderr, `${name}: ${err.message}`);
      return 1;
    }
    writeLine(io.stderr, `${name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

// Run when executed (`sanstls …`, `node dist/cli.js …`), not when imported by tests.
const invokedPath = process.argv[1];
const isEntryPoint = (() => {
  if (invokedPath === undefined) return false;
  try {
    return realpathSync(invokedPath) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (isEntryPoint) {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  main(process.argv.slice(2), io).then(
    (status) => {
      // Exit now: stdin (read by s_client) would otherwise keep the process alive. Pipe and file writes to
      // stdout/stderr are synchronous on POSIX, so nothing printed is lost.
      process.exit(status);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
