/**
 * `sanstls s_server` (placeholder until the TLS engine lands in @sanstls/core).
 * @module
 */
import { helpText, parseArgs, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { serverOptions } from './tls-options.js';

export async function sServerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('s_server', serverOptions, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('s_server', '[options]', serverOptions));
    return 0;
  }
  throw new UsageError('s_server: the TLS engine (@sanstls/core SSLContext) has not landed yet', 2);
}
