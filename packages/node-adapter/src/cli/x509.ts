/**
 * `sanstls x509 -in FILE`: the certificate as the dict Python's `getpeercert()` returns (tuples as arrays),
 * printed as Python's `json.dumps` would.
 * @module
 */
import { decodeCertificate } from '@sanstls/x509';
import { pemOrDerFromFile } from '../files.js';
import { helpText, type OptionTable, optionValue, parseArgs, UsageError } from './args.js';
import { pythonJsonDumps } from './format.js';
import { type CliIo, readAll, writeLine } from './io.js';

const options: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  in: { kind: 'string', arg: 'file', help: 'Certificate to read (PEM or DER); default standard input' },
  inform: { kind: 'string', arg: 'PEM|DER', help: 'Input format (detected when omitted)' },
  text: { kind: 'flag', help: 'OpenSSL text dump', unsupported: 'sanstls prints the getpeercert() dict (JSON) only' },
  noout: { kind: 'flag', help: 'No output', unsupported: 'sanstls x509 only prints the decoded certificate' },
};

export async function x509Command(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('x509', options, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('x509', '[options]', options));
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`x509: Extra option: "${args.positional[0]}"`, 1);
  const inform = optionValue(args, 'inform')?.toUpperCase();
  if (inform !== undefined && inform !== 'PEM' && inform !== 'DER') {
    throw new UsageError(`x509: Invalid format "${optionValue(args, 'inform')}" for option -inform`, 1);
  }
  const file = optionValue(args, 'in');
  let input: string | Uint8Array;
  if (file === undefined) {
    const bytes = await readAll(io.stdin);
    input = bytes.toString('latin1').includes('-----BEGIN') ? bytes.toString('latin1') : new Uint8Array(bytes);
  } else {
    input = pemOrDerFromFile('certificate', file);
  }
  if (inform === 'DER' && typeof input === 'string') input = new Uint8Array(Buffer.from(input, 'latin1'));
  writeLine(io.stdout, pythonJsonDumps(decodeCertificate(input)));
  return 0;
}
