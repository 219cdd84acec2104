#!/usr/bin/env node
/**
 * Turns the example traces of RFC 8448 ("Example Handshake Traces for TLS 1.3") into JSON test vectors.
 *
 *   node scripts/extract-rfc8448.mjs [path/to/rfc8448.txt] [output-dir]
 *
 * Defaults: ../shared/reference/rfc/rfc8448.txt (beside the repository) and test-vectors/rfc8448/.
 * Writes one file per trace section (§3 simple 1-RTT, §4 resumed 0-RTT, §5 HelloRetryRequest, §6 client
 * authentication, §7 compatibility mode) plus §2's private key: `{ source, section, title, items }` where
 * each item is `{ side, step, label, hex }` in document order, e.g.
 * `{ side: 'client', step: 'create an ephemeral x25519 key pair', label: 'private key', hex: '70a1…' }`.
 * Every "(N octets)" count is checked against the hex that follows; anything unexpected aborts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Sections we extract: number → output file stem. */
const SECTIONS = new Map([
  [2, 'private-keys'],
  [3, 'simple-1rtt'],
  [4, 'resumed-0rtt'],
  [5, 'hello-retry-request'],
  [6, 'client-authentication'],
  [7, 'compatibility-mode'],
]);

class ExtractError extends Error {}

/** Page headers/footers and form feeds of the plain-text RFC layout. */
function isPageFurniture(line) {
  return /\[Page \d+\]\s*$/.test(line) || /^(RFC 8448|Internet-Draft)\s{2,}/.test(line) || line.includes('\f');
}

const ITEM =
  /^(?<indent> +)(?<label>[A-Za-z][A-Za-z0-9 ]*?)(?: \((?<count>\d+) octets\)| \((?<qual>public)\))?:(?:\s+(?<rest>.*))?$/;
const HEX_LINE = /^\s+([0-9a-f]{2}( [0-9a-f]{2})*)\s*$/;
const STEP = /^ {3}\{(?<side>client|server)\}\s+(?<text>.*)$/;
const SECTION = /^(?<number>\d+)\.\s+(?<title>\S.*)$/;

function parseHexTokens(text, where) {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '(empty)') return '';
  if (!/^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(trimmed))
    throw new ExtractError(`${where}: not hex: ${JSON.stringify(trimmed)}`);
  return trimmed.replaceAll(' ', '');
}

/**
 * @param {string} text the RFC
 * @returns {Map<number, {section: number, title: string, items: {side: string, step: string, label: string, hex: string, note?: string}[]}>}
 */
export function extractRfc8448(text) {
  const lines = text.split(/\r?\n/).filter((line) => !isPageFurniture(line));
  const sections = new Map();
  let section = null;
  let step = null; // { side, text, open } — open while the header is still wrapping
  let item = null; // the item whose hex may continue

  const finishItem = (lineNumber) => {
    if (item === null) return;
    if (item.count !== undefined && item.hex.length !== item.count * 2) {
      throw new ExtractError(
        `line ${lineNumber}: ${item.label} says ${item.count} octets, found ${item.hex.length / 2}`,
      );
    }
    const { count: _count, ...rest } = item;
    section.items.push(rest);
    item = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const lineNumber = i + 1;
    const sectionMatch = SECTION.exec(line);
    if (sectionMatch) {
      finishItem(lineNumber);
      step = null;
      const number = Number(sectionMatch.groups.number);
      if (SECTIONS.has(number)) {
        section = { section: number, title: sectionMatch.groups.title.trim(), items: [] };
        sections.set(number, section);
      } else {
        section = null;
      }
      continue;
    }
    if (section === null) continue;
    if (line.trim() === '') {
      if (step?.open) step.open = false;
      continue;
    }

    const stepMatch = STEP.exec(line);
    if (stepMatch) {
      finishItem(lineNumber);
      step = { side: stepMatch.groups.side, text: stepMatch.groups.text.trim(), open: true };
      if (step.text.endsWith(':')) {
        step.text = step.text.slice(0, -1);
        step.open = false;
      }
      continue;
    }

    if (item !== null) {
      const hexMatch = HEX_LINE.exec(line);
      if (hexMatch && line.search(/\S/) > item.indent) {
        item.hex += parseHexTokens(hexMatch[1], `line ${lineNumber}`);
        continue;
      }
    }

    const itemMatch = ITEM.exec(line);
    const inKeySection = section.section === 2;
    const keyItem = inKeySection && (itemMatch?.groups.rest ?? '') !== '';
    if (itemMatch && (keyItem || (!inKeySection && step !== null && itemMatch.groups.indent.length === 6))) {
      finishItem(lineNumber);
      if (step !== null) step.open = false;
      const rest = itemMatch.groups.rest ?? '';
      const label = itemMatch.groups.label.trim();
      const base = {
        side: inKeySection ? 'server' : step.side,
        step: inKeySection ? 'RSA certificate private key' : step.text,
        label,
      };
      if (/^0 \(all zero octets\)$/.test(rest.trim())) {
        section.items.push({ ...base, hex: '', note: 'all-zero (Hash.length zero octets)' });
        continue;
      }
      item = {
        ...base,
        hex: parseHexTokens(rest, `line ${lineNumber}`),
        count: itemMatch.groups.count === undefined ? undefined : Number(itemMatch.groups.count),
        indent: itemMatch.groups.indent.length,
      };
      continue;
    }

    // A wrapped step header: "(same as server handshake" / "secret)".
    if (step?.open && /^ {6}\S/.test(line)) {
      let continuation = line.trim();
      if (continuation.endsWith(':')) {
        continuation = continuation.slice(0, -1);
        step.open = false;
      }
      step.text = `${step.text} ${continuation}`;
      continue;
    }
    // Prose (section introductions and notes, possibly with indented continuation lines) carries no
    // data; a prose paragraph also ends the current step.
    if (/^ {3}\S/.test(line)) {
      finishItem(lineNumber);
      step = null;
      continue;
    }
    if (step === null) continue;
    throw new ExtractError(`line ${lineNumber}: unrecognised trace line: ${JSON.stringify(line)}`);
  }
  finishItem(lines.length);
  for (const s of sections.values()) {
    for (const it of s.items) delete it.indent;
  }
  return sections;
}

export function writeRfc8448Vectors(rfcPath, outDir) {
  const sections = extractRfc8448(readFileSync(rfcPath, 'utf8'));
  mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const [number, stem] of SECTIONS) {
    const section = sections.get(number);
    if (section === undefined || section.items.length === 0)
      throw new ExtractError(`section ${number} not found or empty`);
    const file = join(outDir, `${stem}.json`);
    const body = { source: `RFC 8448 §${number}`, section: number, title: section.title, items: section.items };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
    written.push({ file, items: section.items.length });
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rfcPath = resolve(process.argv[2] ?? join(repoRoot, '..', 'shared', 'reference', 'rfc', 'rfc8448.txt'));
  const outDir = resolve(process.argv[3] ?? join(repoRoot, 'test-vectors', 'rfc8448'));
  try {
    for (const { file, items } of writeRfc8448Vectors(rfcPath, outDir)) console.log(`${file}: ${items} items`);
  } catch (error) {
    console.error(error instanceof ExtractError ? `extract-rfc8448: ${error.message}` : error);
    process.exit(1);
  }
}
