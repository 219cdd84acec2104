/**
 * OpenSSL-style command-line parsing: single-dash long flags (`-CAfile F`), values in the next argument, unknown
 * options rejected with OpenSSL's wording and exit status 1. A flag whose feature sanstls has not built yet is
 * declared with `unsupported`: using it stops the command at once with exit status 2 — never silently ignored.
 * @module
 */

export type OptionKind = 'flag' | 'string' | 'int';

export interface OptionSpec {
  readonly kind: OptionKind;
  /** Placeholder for the value in `-help` (e.g. `file`, `host:port`). */
  readonly arg?: string;
  readonly help: string;
  /** When set, the flag is recognised but not available yet: this text explains why (exit status 2). */
  readonly unsupported?: string;
  /** Flags that may be given several times collect every value. */
  readonly repeat?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string[]>;
  readonly positional: readonly string[];
}

/** A command-line problem: `status` is the exit status (1: bad usage, as OpenSSL; 2: not supported yet). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2,
  ) {
    super(message);
  }
}

export function parseArgs(command: string, table: OptionTable, argv: readonly string[]): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    // OpenSSL accepts `--flag` for `-flag`.
    const name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const spec = table[name];
    if (spec === undefined) {
      throw new UsageError(`${command}: Unknown option: ${arg}\n${command}: Use -help for summary.`, 1);
    }
    if (spec.unsupported !== undefined) {
      throw new UsageError(`${command}: ${arg} is not supported yet: ${spec.unsupported}`, 2);
    }
    if (spec.kind === 'flag') {
      flags.add(name);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${command}: Option ${arg} needs a value`, 1);
    i++;
    if (spec.kind === 'int' && !/^-?\d+$/.test(value)) {
      throw new UsageError(`${command}: Non-numeric value "${value}" for option ${arg}`, 1);
    }
    const list = values.get(name) ?? [];
    if (!spec.repeat) list.length = 0;
    list.push(value);
    values.set(name, list);
  }
  return { flags, values, positional };
}

/** The last value given for an option. */
export function optionValue(parsed: ParsedArgs, name: string): string | undefined {
  const list = parsed.values.get(name);
  return list?.[list.length - 1];
}

export function optionInt(parsed: ParsedArgs, name: string): number | undefined {
  const value = optionValue(parsed, name);
  return value === undefined ? undefined : Number.parseInt(value, 10);
}

/** `-help` text in OpenSSL's layout. */
export function helpText(command: string, synopsis: string, table: OptionTable): string {
  const lines = [`Usage: sanstls ${command} ${synopsis}`, '', 'Valid options are:'];
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = ` -${name}${spec.arg ? ` ${spec.arg}` : ''}`;
    const right = spec.unsupported ? `${spec.help} (not supported yet)` : spec.help;
    return [left, right] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  for (const [left, right] of rows) lines.push(left.padEnd(width) + right);
  return `${lines.join('\n')}\n`;
}
