/**
 * `sanstls verify`: `openssl verify`'s flags, output and exit status, on @sanstls/x509's `verifyChain`.
 *
 * Success prints `CERT: OK` on stdout. A failure prints, on stderr, the subject of the certificate at fault
 * (one-line form), `error N at D depth lookup: TEXT` and `error CERT: verification failed`, and the exit status
 * is 2. Unreadable trust files and bad flags exit with 1, as OpenSSL. OpenSSL's verify callback carries on past
 * some errors (expiry, CA flags) and may print several; sanstls stops at the first, so it prints one.
 * @module
 */
import {
  type Certificate,
  compareBytes,
  loadCertificates,
  SSLCertVerificationError,
  SSLError,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_STRICT,
  type VerifyPurpose,
  verifyChain,
  verifyErrorText,
} from '@sanstls/x509';
import { certificatesInPem, loadCapath, pemOrDerFromFile } from '../files.js';
import { getDefaultVerifyPaths } from '../verify-paths.js';
import { helpText, type OptionTable, optionValue, parseArgs, UsageError } from './args.js';
import { opensslOneLineName } from './format.js';
import { type CliIo, readAll, writeLine } from './io.js';

const options: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  CAfile: { kind: 'string', arg: 'file', help: 'Trusted certificates (PEM bundle or one DER certificate)' },
  CApath: { kind: 'string', arg: 'dir', help: 'Trusted certificates directory (OpenSSL hashed form)' },
  untrusted: { kind: 'string', arg: 'file', help: 'Untrusted intermediates', repeat: true },
  purpose: { kind: 'string', arg: 'name', help: 'Purpose to check: sslserver, sslclient or any' },
  verify_hostname: { kind: 'string', arg: 'name', help: 'Check the leaf is valid for this DNS name' },
  verify_ip: { kind: 'string', arg: 'ip', help: 'Check the leaf is valid for this IP address' },
  attime: { kind: 'int', arg: 'seconds', help: 'Validation time, in seconds since the epoch' },
  verify_depth: { kind: 'int', arg: 'n', help: 'Most intermediates a path may contain' },
  x509_strict: { kind: 'flag', help: 'Strict RFC 5280 checks' },
  partial_chain: { kind: 'flag', help: 'Accept a path ending at any trusted certificate' },
  CRLfile: { kind: 'string', arg: 'file', help: 'CRLs', unsupported: 'CRL checking from the CLI is not wired up' },
  crl_check: {
    kind: 'flag',
    help: 'Check the leaf against CRLs',
    unsupported: 'CRL checking from the CLI is not wired up',
  },
  crl_check_all: {
    kind: 'flag',
    help: 'Check the chain against CRLs',
    unsupported: 'CRL checking from the CLI is not wired up',
  },
  show_chain: { kind: 'flag', help: 'Print the chain', unsupported: 'not implemented' },
};

const purposes: Record<string, VerifyPurpose> = { sslserver: 'serverAuth', sslclient: 'clientAuth', any: 'any' };

/** Every certificate in a trust/untrusted file; an unreadable or certificate-less file is a usage error (status 1). */
function certificatesFromFile(path: string, role: string): Uint8Array[] {
  let found: Uint8Array[];
  try {
    const content = pemOrDerFromFile(role, path);
    found = typeof content === 'string' ? certificatesInPem(content) : [content];
  } catch (err) {
    throw new UsageError(`Error loading file ${path}\n${(err as Error).message}`, 1);
  }
  if (found.length === 0) throw new UsageError(`Error loading file ${path}: no certificate in it`, 1);
  return found;
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('verify', options, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('verify', '[options] [cert...]', options));
    return 0;
  }
  const purposeName = optionValue(args, 'purpose');
  let purpose: VerifyPurpose = 'any';
  if (purposeName !== undefined) {
    const p = purposes[purposeName];
    if (p === undefined) throw new UsageError(`verify: Invalid purpose ${purposeName}`, 1);
    purpose = p;
  }

  const anchors: Uint8Array[] = [];
  const cafile = optionValue(args, 'CAfile');
  const capath = optionValue(args, 'CApath');
  if (cafile !== undefined) anchors.push(...certificatesFromFile(cafile, 'CAfile'));
  if (capath !== undefined) {
    try {
      anchors.push(...loadCapath(capath).certificates);
    } catch (err) {
      throw new UsageError(`Error loading directory ${capath}\n${(err as Error).message}`, 1);
    }
  }
  if (cafile === undefined && capath === undefined) {
    // As `openssl verify` without -CAfile/-CApath: the default verify paths (SSL_CERT_FILE / SSL_CERT_DIR honoured).
    const defaults = getDefaultVerifyPaths(io.env);
    if (defaults.cafile !== null) anchors.push(...certificatesFromFile(defaults.cafile, 'CAfile'));
    if (defaults.capath !== null) anchors.push(...loadCapath(defaults.capath).certificates);
  }
  const untrusted = (args.values.get('untrusted') ?? []).flatMap((f) => certificatesFromFile(f, 'untrusted'));
  const attime = optionValue(args, 'attime');
  const depth = optionValue(args, 'verify_depth');
  let flags = 0;
  if (args.flags.has('x509_strict')) flags |= VERIFY_X509_STRICT;
  if (args.flags.has('partial_chain')) flags |= VERIFY_X509_PARTIAL_CHAIN;

  const targets = args.positional.length > 0 ? args.positional : [undefined];
  let failed = false;
  for (const target of targets) {
    const label = target ?? 'stdin';
    let leaf: Certificate;
    try {
      const content =
        target === undefined ? new Uint8Array(await readAll(io.stdin)) : pemOrDerFromFile('certificate', target);
      leaf = loadCertificates(content)[0] as Certificate;
    } catch (err) {
      writeLine(io.stderr, `Could not load certificate from ${label}: ${(err as Error).message}`);
      writeLine(io.stderr, 'Unable to load certificate file');
      failed = true;
      continue;
    }
    try {
      verifyChain({
        leaf: leaf.der,
        intermediates: untrusted,
        trustAnchors: anchors,
        purpose,
        ...(attime !== undefined ? { at: new Date(Number(attime) * 1000) } : {}),
        ...(optionValue(args, 'verify_hostname') !== undefined
          ? { hostname: optionValue(args, 'verify_hostname') }
          : {}),
        ...(optionValue(args, 'verify_ip') !== undefined ? { ip: optionValue(args, 'verify_ip') } : {}),
        ...(depth !== undefined ? { maxDepth: Number(depth) } : {}),
        ...(flags !== 0 ? { flags } : {}),
      });
      writeLine(io.stdout, `${label}: OK`);
    } catch (err) {
      if (!(err instanceof SSLCertVerificationError)) {
        if (err instanceof SSLError) {
          writeLine(io.stderr, `error ${label}: ${err.message}`);
          failed = true;
          continue;
        }
        throw err;
      }
      const path = issuerPath(leaf, untrusted);
      const at = errorDepth(err, path.length);
      const culprit = path[Math.min(at, path.length - 1)] as Certificate;
      writeLine(io.stderr, opensslOneLineName(culprit.subject));
      writeLine(io.stderr, `error ${err.verifyCode} at ${at} depth lookup: ${verifyErrorText(err.verifyCode)}`);
      writeLine(io.stderr, `error ${label}: verification failed`);
      failed = true;
    }
  }
  return failed ? 2 : 0;
}

/** X509_V_ERR codes OpenSSL reports at the last certificate of the path it could build. */
const END_OF_PATH_ERRORS = new Set([2, 19, 20]);

/** OpenSSL's error depth: the verifier's `depth` when it reports one, else read from its message, else a guess. */
function errorDepth(err: SSLCertVerificationError, pathLength: number): number {
  const reported = (err as { depth?: unknown }).depth;
  if (typeof reported === 'number') return reported;
  const match = /\bdepth (\d+)\b/.exec(err.message);
  if (match) return Number(match[1]);
  return END_OF_PATH_ERRORS.has(err.verifyCode) ? pathLength - 1 : 0;
}

/** Leaf, then its issuers found by name in the untrusted pool (display only: which certificate a message is about). */
function issuerPath(leaf: Certificate, pool: readonly Uint8Array[]): Certificate[] {
  const parsed = pool.flatMap((der) => {
    try {
      return loadCertificates(der);
    } catch {
      return [];
    }
  });
  const path = [leaf];
  for (let current = leaf; path.length <= parsed.length; ) {
    if (compareBytes(current.subject.der, current.issuer.der) === 0) break; // self-issued: the path ends here
    const next = parsed.find((c) => compareBytes(c.subject.der, current.issuer.der) === 0 && !path.includes(c));
    if (next === undefined) break;
    path.push(next);
    current = next;
  }
  return path;
}
