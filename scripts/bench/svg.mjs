/**
 * A dependency-free SVG bar chart: panels of horizontal bars, each panel on its own linear scale, one
 * colour per series with a legend, the value written at the end of every bar.
 */

const escapeXml = (s) =>
  String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]);

const PALETTE = ['#2b6cb0', '#9bbbe0', '#dd6b20', '#38a169', '#805ad5', '#718096'];

/**
 * `panels`: [{ title, unit, rows: [{ label, bars: [{ series, value, note? }] }] }]; `series`: names in
 * legend order. Missing values (undefined/NaN) are drawn as a grey "n/a" note.
 */
export function barChart({ title, subtitle, panels, series }) {
  const width = 900;
  const labelWidth = 300;
  const barArea = width - labelWidth - 110;
  const barHeight = 14;
  const barGap = 3;
  const rowGap = 8;
  const colour = new Map(series.map((s, i) => [s, PALETTE[i % PALETTE.length]]));
  const parts = [];
  let y = 58;
  parts.push(`<text x="16" y="26" font-size="17" font-weight="bold">${escapeXml(title)}</text>`);
  if (subtitle) parts.push(`<text x="16" y="45" font-size="11" fill="#4a5568">${escapeXml(subtitle)}</text>`);
  // Legend.
  let lx = 16;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${colour.get(s)}"/>`);
    parts.push(`<text x="${lx + 16}" y="${y}" font-size="11">${escapeXml(s)}</text>`);
    lx += 24 + s.length * 6.2;
  }
  y += 20;
  for (const panel of panels) {
    const values = panel.rows.flatMap((r) => r.bars.map((b) => b.value)).filter((v) => Number.isFinite(v));
    const max = values.length === 0 ? 1 : Math.max(...values);
    y += 14;
    parts.push(`<text x="16" y="${y}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 8;
    for (const row of panel.rows) {
      const rowHeight = row.bars.length * (barHeight + barGap) - barGap;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + rowHeight / 2 + 4}" font-size="11" text-anchor="end">${escapeXml(row.label)}</text>`,
      );
      for (const bar of row.bars) {
        const ok = Number.isFinite(bar.value);
        const w = ok ? Math.max(1, (bar.value / max) * barArea) : 0;
        if (ok) {
          parts.push(
            `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${colour.get(bar.series)}"><title>${escapeXml(`${bar.series}: ${bar.value.toFixed(1)} ${panel.unit}`)}</title></rect>`,
          );
        }
        const text = ok
          ? `${bar.value >= 100 ? bar.value.toFixed(0) : bar.value.toFixed(1)} ${panel.unit}`
          : (bar.note ?? 'n/a');
        parts.push(
          `<text x="${labelWidth + w + 4}" y="${y + barHeight - 3}" font-size="10" fill="${ok ? '#1a202c' : '#a0aec0'}">${escapeXml(text)}</text>`,
        );
        y += barHeight + barGap;
      }
      y += rowGap;
    }
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join('\n')}
</svg>
`;
}
