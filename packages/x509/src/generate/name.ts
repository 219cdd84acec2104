/**
 * Distinguished names for generated certificates: RFC 4514 strings (`CN=leaf,O=Test,C=US`) or arrays
 * of `[attribute, value]` pairs, encoded as an X.501 Name (RFC 5280 §4.1.2.4).
 * @module
 */
import { DerReader, derOid, derSequence, derSetOf, derString, derTLV, Tag } from '../der.js';
import { invalidArgument } from './errors.js';

/** One attribute: `[type, value]` or `[type, value, stringTag]` to force the ASN.1 string type. */
export type NameAttribute = readonly [type: string, value: string, stringTag?: NameStringType];

/** ASN.1 string types a value may be written as. */
export type NameStringType = 'UTF8String' | 'PrintableString' | 'IA5String' | 'BMPString' | 'TeletexString';

/**
 * A Name in DER order (the first entry is the first RDN, usually `C`): each entry is one attribute, or
 * an array of attributes forming a multi-valued RDN.
 */
export type NameInput = string | readonly (NameAttribute | readonly NameAttribute[])[];

/** Short names and their OIDs (RFC 4519, RFC 5280 Appendix A, PKCS #9). */
const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  TITLE: '2.5.4.12',
  BUSINESSCATEGORY: '2.5.4.15',
  POSTALCODE: '2.5.4.17',
  NAME: '2.5.4.41',
  GN: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  INITIALS: '2.5.4.43',
  GENERATIONQUALIFIER: '2.5.4.44',
  DNQUALIFIER: '2.5.4.46',
  PSEUDONYM: '2.5.4.65',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  E: '1.2.840.113549.1.9.1',
  JURISDICTIONC: '1.3.6.1.4.1.311.60.2.1.3',
  JURISDICTIONST: '1.3.6.1.4.1.311.60.2.1.2',
  JURISDICTIONL: '1.3.6.1.4.1.311.60.2.1.1',
};

/** Attributes whose syntax is not DirectoryString (RFC 5280 Appendix A; RFC 4519; PKCS #9). */
const FIXED_STRING_TYPES: Readonly<Record<string, NameStringType>> = {
  '2.5.4.6': 'PrintableString',
  '2.5.4.5': 'PrintableString',
  '2.5.4.46': 'PrintableString',
  '1.3.6.1.4.1.311.60.2.1.3': 'PrintableString',
  '1.2.840.113549.1.9.1': 'IA5String',
  '0.9.2342.19200300.100.1.25': 'IA5String',
};

const STRING_TAGS: Readonly<Record<NameStringType, number>> = {
  UTF8String: Tag.UTF8String,
  PrintableString: Tag.PrintableString,
  IA5String: Tag.IA5String,
  BMPString: Tag.BMPString,
  TeletexString: Tag.T61String,
};

/** X.680 §41.4: the PrintableString alphabet. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function attributeOid(type: string): string {
  if (/^[0-2](\.(0|[1-9][0-9]*))+$/.test(type)) return type;
  const oid = ATTRIBUTE_OIDS[type.toUpperCase()];
  if (oid === undefined) throw invalidArgument(`unknown name attribute "${type}" (use a dotted OID)`);
  return oid;
}

function encodeValue(oid: string, value: string, forced: NameStringType | undefined): Uint8Array {
  const type = forced ?? FIXED_STRING_TYPES[oid] ?? 'UTF8String';
  const tag = STRING_TAGS[type];
  if (tag === undefined) throw invalidArgument(`unsupported name string type "${String(type)}"`);
  if (oid === '2.5.4.6' && forced === undefined && value.length !== 2) {
    // RFC 5280 Appendix A: CountryName ::= PrintableString (SIZE (2)), ISO 3166 alpha-2.
    throw invalidArgument(`country name must be two letters, got "${value}"`);
  }
  switch (type) {
    case 'PrintableString':
      if (!PRINTABLE.test(value)) throw invalidArgument(`"${value}" is not a PrintableString`);
      return derString(tag, value);
    case 'IA5String':
    case 'TeletexString':
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the IA5 range starts at NUL
      if (!/^[\x00-\x7f]*$/.test(value)) throw invalidArgument(`"${value}" is not ASCII (${type})`);
      return derString(tag, value);
    case 'BMPString': {
      const units = new Uint8Array(value.length * 2);
      for (let i = 0; i < value.length; i++) {
        const u = value.charCodeAt(i);
        if (u >= 0xd800 && u <= 0xdfff) throw invalidArgument('BMPString cannot hold characters outside the BMP');
        units[2 * i] = u >> 8;
        units[2 * i + 1] = u & 0xff;
      }
      return derTLV(tag, units);
    }
    default:
      return derString(tag, value);
  }
}

function encodeAttribute([type, value, forced]: NameAttribute): Uint8Array {
  const oid = attributeOid(type);
  // RFC 4514 §2.4 `#hex`: the value's complete BER/DER, written as given.
  const raw =
    /^#([0-9a-fA-F]{2})+$/.test(value) && forced === undefined ? checkedValue(hexToBytes(value.slice(1))) : undefined;
  return derSequence(derOid(oid), raw ?? encodeValue(oid, value, forced));
}

/** A `#hex` value must be exactly one well-formed DER element. */
function checkedValue(der: Uint8Array): Uint8Array {
  try {
    const r = new DerReader(der, 'name attribute value');
    r.readAny();
    r.end();
  } catch {
    throw invalidArgument('a "#hex" name value must be one complete DER element');
  }
  return der;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Parses an RFC 4514 string into RDNs in DER order. RFC 4514 §2.1 writes the last RDN first, so
 * `CN=leaf,O=Test,C=US` encodes as C, O, CN. `+` joins the attributes of a multi-valued RDN; `\`
 * escapes one special character or introduces two hex digits (a UTF-8 byte).
 */
export function parseNameString(text: string): NameAttribute[][] {
  const rdns: NameAttribute[][] = [];
  if (text.trim() === '') return rdns;
  let rdn: NameAttribute[] = [];
  let type = '';
  let bytes: number[] = [];
  let inValue = false;
  // Spaces count only when escaped or between non-space characters (RFC 4514 §2.4 / §3).
  let pendingSpaces = 0;
  const encoder = new TextEncoder();
  const pushText = (s: string): void => {
    for (let k = 0; k < pendingSpaces; k++) bytes.push(0x20);
    pendingSpaces = 0;
    bytes.push(...encoder.encode(s));
  };
  const finishAttribute = (): void => {
    if (!inValue) throw invalidArgument(`name "${text}": attribute without "="`);
    const t = type.trim();
    if (t === '') throw invalidArgument(`name "${text}": empty attribute type`);
    let value: string;
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      throw invalidArgument(`name "${text}": escaped bytes are not UTF-8`);
    }
    rdn.push([t, value]);
    type = '';
    bytes = [];
    inValue = false;
    pendingSpaces = 0;
  };
  // By code point, so characters outside the BMP are not split into lone surrogates.
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (!inValue) {
      if (c === '=') inValue = true;
      else if (c === ',' || c === '+') throw invalidArgument(`name "${text}": attribute without "="`);
      else type += c;
      continue;
    }
    if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw invalidArgument(`name "${text}": dangling "\\"`);
      const pair = chars.slice(i + 1, i + 3).join('');
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        for (let k = 0; k < pendingSpaces; k++) bytes.push(0x20);
        pendingSpaces = 0;
        bytes.push(Number.parseInt(pair, 16));
        i += 2;
      } else {
        pushText(next);
        i += 1;
      }
    } else if (c === ',' || c === '+') {
      finishAttribute();
      if (c === ',') {
        rdns.push(rdn);
        rdn = [];
      }
    } else if (c === ' ') {
      if (bytes.length > 0) pendingSpaces++;
    } else {
      pushText(c);
    }
  }
  finishAttribute();
  rdns.push(rdn);
  return rdns.reverse();
}

function normalize(input: NameInput): NameAttribute[][] {
  if (typeof input === 'string') return parseNameString(input);
  return input.map((entry) =>
    typeof entry[0] === 'string' ? [entry as NameAttribute] : [...(entry as readonly NameAttribute[])],
  );
}

/** The DER of an X.501 Name; each RDN is a SET OF in DER order (X.690 §11.6). */
export function encodeName(input: NameInput | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) return input;
  const rdns = normalize(input);
  return derSequence(
    ...rdns.map((rdn) => {
      if (rdn.length === 0) throw invalidArgument('empty relative distinguished name');
      return derSetOf(...rdn.map(encodeAttribute));
    }),
  );
}
