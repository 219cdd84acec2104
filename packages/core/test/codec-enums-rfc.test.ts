/**
 * The wire enums checked against the RFC texts themselves: every `name(value)` of the `enum { … } Name;`
 * blocks of RFC 8446, RFC 5246, RFC 6066, RFC 7919 and RFC 4492, and every cipher suite assignment of
 * RFC 8446 §B.4, RFC 5246 §A.5 and RFC 5288 §3.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as codec from '@sanstls/core/codec';
import { describe, expect, it } from 'vitest';

const rfcDir = fileURLToPath(new URL('../../../../shared/reference/rfc/', import.meta.url));
const present = existsSync(`${rfcDir}rfc8446.txt`);
if (!present) console.log('RFC texts not found under shared/reference/rfc: skipping the enum/RFC comparison');

const read = (n: string): string =>
  readFileSync(`${rfcDir}${n}.txt`, 'utf8')
    .split('\n')
    // Drop page furniture so blocks that span pages stay contiguous.
    .filter((l) => !/\[Page \d+\]\s*$/.test(l) && !/^RFC \d{4}\s{2,}/.test(l) && !l.includes('\f'))
    .join('\n');

type Pairs = Map<string, Map<string, number>>;

/** `enum { a(1), b(0x0203), c(5..9), (255) } Name;` → Name → {a: 1, b: 0x203} (ranges skipped). */
function enumBlocks(text: string): Pairs {
  const out: Pairs = new Map();
  for (const m of text.matchAll(/enum\s*\{([^}]*)\}\s*(\w+)\s*;/g)) {
    const pairs = out.get(m[2]!) ?? new Map<string, number>();
    const body = m[1]!.replace(/\/\*[\s\S]*?\*\//g, '');
    for (const p of body.matchAll(/([A-Za-z][\w]*)\s*\(\s*(0x[0-9A-Fa-f]+|\d+)\s*\)/g)) {
      pairs.set(p[1]!, Number(p[2]));
    }
    out.set(m[2]!, pairs);
  }
  return out;
}

function cipherSuites(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/(TLS_\w+)\s*(?:=|\|)\s*\{\s*0x([0-9A-Fa-f]{2})\s*,\s*0x([0-9A-Fa-f]{2})\s*\}/g)) {
    out.set(m[1]!, Number.parseInt(m[2]! + m[3]!, 16));
  }
  return out;
}

/** Our name for an RFC name: RFC 8446 marks 1.2-only codes `_RESERVED`; we keep their 1.2 names. */
const ourName = (rfcName: string): string => rfcName.replace(/_RESERVED$/, '');

const ENUMS: Record<string, codec.Enum<codec.EnumTable>> = {
  ContentType: codec.ContentType,
  AlertLevel: codec.AlertLevel,
  AlertDescription: codec.AlertDescription,
  HandshakeType: codec.HandshakeType,
  ExtensionType: codec.ExtensionType,
  NamedGroup: codec.NamedGroup,
  NamedCurve: codec.NamedGroup,
  SignatureScheme: codec.SignatureScheme,
  PskKeyExchangeMode: codec.PskKeyExchangeMode,
  KeyUpdateRequest: codec.KeyUpdateRequest,
  CertificateStatusType: codec.CertificateStatusType,
  NameType: codec.NameType,
  ECPointFormat: codec.ECPointFormat,
  ECCurveType: codec.ECCurveType,
  ClientCertificateType: codec.ClientCertificateType,
  CompressionMethod: codec.CompressionMethod,
};

/** RFC names that are placeholders or that a later RFC renamed (with the name we use). */
const RENAMED: Record<string, string | null> = {
  'ExtensionType.supported_groups': 'supported_groups',
  'ExtensionType.elliptic_curves': 'supported_groups', // RFC 4492 §5.1 name, renamed by RFC 7919
  'ExtensionType.signature_algorithms': 'signature_algorithms',
  'ExtensionType.application_layer_protocol_negotiation': 'application_layer_protocol_negotiation',
  'HandshakeType.hello_retry_request': 'hello_retry_request',
  'ClientCertificateType.fortezza_dms': 'fortezza_dms',
};

describe.skipIf(!present)('wire enums agree with the RFC texts', () => {
  const sources = ['rfc8446', 'rfc5246', 'rfc6066', 'rfc7919', 'rfc4492'].filter((n) =>
    existsSync(`${rfcDir}${n}.txt`),
  );

  it('every enum member the RFCs define has the same code here, and RFC 8446 members all exist', () => {
    let checked = 0;
    for (const source of sources) {
      for (const [enumName, pairs] of enumBlocks(read(source))) {
        const ours = ENUMS[enumName];
        if (!ours) continue;
        for (const [rfcName, code] of pairs) {
          const key = `${enumName}.${rfcName}`;
          const name = RENAMED[key] ?? ourName(rfcName);
          const mine = ours.codeOf(name);
          if (mine === undefined) {
            // RFC 8446 is the reference for TLS 1.3 names: nothing may be missing from it.
            // Older RFCs list codes later deprecated (e.g. ECCurveType's explicit curves) that we may omit.
            expect(source === 'rfc8446' && !/private_use|obsolete|RESERVED/.test(rfcName), `${source} ${key}`).toBe(
              false,
            );
            continue;
          }
          expect(mine, `${source} ${key}`).toBe(code);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('cipher suite codes match RFC 8446 §B.4, RFC 5246 §A.5 and RFC 5288', () => {
    let checked = 0;
    for (const source of ['rfc8446', 'rfc5246', 'rfc5288'].filter((n) => existsSync(`${rfcDir}${n}.txt`))) {
      for (const [name, code] of cipherSuites(read(source))) {
        const mine = codec.CipherSuite.codeOf(name);
        if (mine === undefined) continue;
        expect(mine, `${source} ${name}`).toBe(code);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('codes are unique within each enum', () => {
    for (const e of Object.values(ENUMS)) {
      const codes = e.entries.map(([, c]) => c);
      expect(new Set(codes).size, e.enumName).toBe(codes.length);
    }
  });
});
