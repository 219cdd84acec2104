/**
 * The OID name table against OpenSSL's own registry (python3's ssl._ssl.txt2obj), plus nameToString.
 */
import { execFileSync } from 'node:child_process';
import {
  derOid,
  derSequence,
  derSetOf,
  derString,
  nameToString,
  oidLongName,
  oidShortName,
  parseName,
  Tag,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { havePython } from './decode-oracle.js';

/** Every OID the table names, read back from the module source's table. */
async function tableOids(): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(new URL('../src/parse/oids.ts', import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('const TABLE = `') + 15, source.indexOf('`;'));
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(0, l.indexOf(' ')));
}

describe.skipIf(!havePython)('OID names match OpenSSL', () => {
  it('gives OpenSSL short and long names for every OID in the table', async () => {
    const oids = await tableOids();
    expect(oids.length).toBeGreaterThan(200);
    const script = `
import json, ssl, sys
out = []
for oid in json.load(sys.stdin):
    try:
        nid, sn, ln, _ = ssl._ssl.txt2obj(oid, name=False)
        out.append([sn, ln])
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)
`;
    const names = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(oids) }).toString('utf8'));
    expect(oids.map((oid) => [oidShortName(oid), oidLongName(oid)])).toEqual(names);
  });

  it('falls back to dotted text for OIDs OpenSSL does not know', () => {
    expect(oidLongName('1.2.3.4.5')).toBe('1.2.3.4.5');
    expect(oidShortName('1.2.3.4.5')).toBe('1.2.3.4.5');
  });
});

describe('nameToString', () => {
  const atv = (oid: string, value: string, tag: number = Tag.UTF8String): Uint8Array =>
    derSequence(derOid(oid), derString(tag, value));
  it('writes RDNs and attributes in encoded order with short names, "+" for multi-valued RDNs and RFC 4514 escapes', () => {
    const name = parseName(
      derSequence(
        derSetOf(atv('2.5.4.6', 'US', Tag.PrintableString)),
        derSetOf(atv('2.5.4.10', 'Acme, Inc.'), atv('2.5.4.11', 'R+D')),
        derSetOf(atv('2.5.4.3', ' #lead and trail ')),
        derSetOf(atv('1.2.3.4', 'x')),
      ),
    );
    expect(nameToString(name)).toBe('C=US, OU=R\\+D+O=Acme\\, Inc., CN=\\ #lead and trail\\ , 1.2.3.4=x');
  });
  it('writes an empty name as the empty string', () => {
    expect(nameToString(parseName(derSequence()))).toBe('');
  });
});
