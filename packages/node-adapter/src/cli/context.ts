/**
 * The SSLContext an `s_server`/`s_client` command line describes (flags shared by both).
 * @module
 */
import {
  CERT_OPTIONAL,
  CERT_REQUIRED,
  OP_NO_TICKET,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  TLSVersion,
} from '@sanstls/core';
import { SSLContext } from '../context.js';
import { readFileFor } from '../files.js';
import { optionInt, optionValue, type ParsedArgs, UsageError } from './args.js';

/** OpenSSL's `-pass` sources: `pass:TEXT`, `env:VAR`, `file:PATH` (first line), `stdin` is not supported. */
export function passwordFrom(
  spec: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (spec === undefined) return undefined;
  if (spec.startsWith('pass:')) return spec.slice(5);
  if (spec.startsWith('env:')) {
    const value = env[spec.slice(4)];
    if (value === undefined) throw new UsageError(`Can't read environment variable ${spec.slice(4)}`, 1);
    return value;
  }
  if (spec.startsWith('file:'))
    return readFileFor('password file', spec.slice(5)).toString('utf8').split(/\r?\n/)[0] ?? '';
  throw new UsageError(`Invalid password argument "${spec}"`, 1);
}

export function buildContext(
  args: ParsedArgs,
  side: 'server' | 'client',
  env: Readonly<Record<string, string | undefined>>,
): SSLContext {
  const ctx = new SSLContext(side === 'server' ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT);
  if (side === 'client') {
    // s_client verifies on its own terms (see s_client.ts); the engine only reports.
    ctx.checkHostname = false;
  }
  const cert = optionValue(args, 'cert') ?? (side === 'server' ? 'server.pem' : undefined);
  const key = optionValue(args, 'key');
  if (cert !== undefined) ctx.loadCertChain(cert, key ?? cert, passwordFrom(optionValue(args, 'pass'), env) ?? null);
  else if (key !== undefined)
    throw new UsageError(`${side === 'server' ? 's_server' : 's_client'}: -key needs -cert`, 1);

  const cafile = optionValue(args, 'CAfile');
  const capath = optionValue(args, 'CApath');
  if (cafile !== undefined || capath !== undefined)
    ctx.loadVerifyLocations({ cafile: cafile ?? null, capath: capath ?? null });

  if (args.flags.has('tls1_3')) {
    ctx.minimumVersion = TLSVersion.TLSv1_3;
    ctx.maximumVersion = TLSVersion.TLSv1_3;
  }
  if (args.flags.has('tls1_2')) {
    ctx.minimumVersion = TLSVersion.TLSv1_2;
    ctx.maximumVersion = TLSVersion.TLSv1_2;
  }
  if (args.flags.has('no_tls1_3')) ctx.options |= OP_NO_TLSv1_3;
  if (args.flags.has('no_tls1_2')) ctx.options |= OP_NO_TLSv1_2;
  if (args.flags.has('no_ticket')) ctx.options |= OP_NO_TICKET;
  // TLS 1.3 tickets and 0-RTT (issue #7): OpenSSL's -num_tickets, -early_data, -max_early_data.
  const numTickets = optionInt(args, 'num_tickets');
  if (numTickets !== undefined) ctx.numTickets = numTickets;
  if (side === 'server' && args.flags.has('early_data')) ctx.maxEarlyData = optionInt(args, 'max_early_data') ?? 16384;

  const alpn = optionValue(args, 'alpn');
  if (alpn !== undefined) ctx.setAlpnProtocols(alpn.split(',').filter((p) => p !== ''));
  const groups = optionValue(args, 'groups') ?? optionValue(args, 'curves');
  // With an explicit list the engine sends a key share for the first group only, as OpenSSL does.
  if (groups !== undefined) ctx.setGroups(groups.split(':').filter((g) => g !== ''));
  const suites = optionValue(args, 'ciphersuites');
  if (suites !== undefined) ctx.setCiphersuites(suites);
  const cipher = optionValue(args, 'cipher');
  if (cipher !== undefined) ctx.setCiphers(cipher);
  const keylog = optionValue(args, 'keylogfile');
  if (keylog !== undefined) ctx.keylogFilename = keylog;
  else if (env.SSLKEYLOGFILE) ctx.keylogFilename = env.SSLKEYLOGFILE;

  if (side === 'server') {
    if (args.values.has('Verify')) ctx.verifyMode = CERT_REQUIRED;
    else if (args.values.has('verify')) ctx.verifyMode = CERT_OPTIONAL;
    if (ctx.verifyMode !== 0 && cafile === undefined && capath === undefined) ctx.loadDefaultCerts();
  }
  return ctx;
}
