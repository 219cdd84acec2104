/**
 * `sanstls s_client` (placeholder until the TLS engine lands in @sanstls/core).
 * @module
 */
import { helpText, parseArgs, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { clientOptions } from './tls-options.js';

export async function sClientCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('s_client', clientOptions, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('s_client', '[options]', clientOptions));
    return 0;
  }
  throw new UsageError('s_client: the TLS engine (@sanstls/core SSLContext) has not landed yet', 2);
}
