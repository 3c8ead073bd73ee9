// The chart of throughput ratio per configuration: a horizontal bar chart written as SVG by hand.
import type { SummaryRow } from './summary-rows.js';

const rowHeight = 22;
const labelWidth = 230;
const chartWidth = 520;
const top = 48;
const colours: Record<string, string> = { bare: '#9e9e9e', 'bare-stream': '#9e9e9e', peer: '#e07b39', 'full-jwt': '#6a4fb3', 'full-redis': '#c2185b' };
const tollgateColour = '#2e7d32';

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/**
 * One bar per configuration (throughput over its framework's bare route in the same run), grouped by
 * framework, with guide lines at the 60 % and 75 % targets and at 100 %.
 *
 * @example
 * writeFileSync('docs/benchmarks-ratio.svg', ratioChart(rows, 'tollgate: throughput vs the bare route'));
 */
export function ratioChart(rows: readonly SummaryRow[], title: string): string {
  const measured = rows.filter((row) => !Number.isNaN(row.ratio));
  const scaleMax = Math.max(1.25, ...measured.map((row) => row.ratio)) * 1.05;
  const x = (ratio: number) => Math.round((labelWidth + (ratio / scaleMax) * chartWidth) * 10) / 10;
  const height = top + measured.length * rowHeight + 40;
  const width = labelWidth + chartWidth + 70;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (const [ratio, label] of [[0.6, '60 %'], [0.75, '75 %'], [1, '100 %']] as const) {
    parts.push(`<line x1="${x(ratio)}" y1="${top - 8}" x2="${x(ratio)}" y2="${top + measured.length * rowHeight}" stroke="#bdbdbd" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x(ratio)}" y="${top - 12}" text-anchor="middle" fill="#616161">${label}</text>`);
  }
  measured.forEach((row, index) => {
    const y = top + index * rowHeight;
    const colour = colours[row.configuration.variant] ?? tollgateColour;
    const previous = measured[index - 1];
    if (previous !== undefined && previous.configuration.framework !== row.configuration.framework) {
      parts.push(`<line x1="8" y1="${y}" x2="${width - 8}" y2="${y}" stroke="#e0e0e0"/>`);
    }
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(row.configuration.name)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(1, x(row.ratio) - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`);
    parts.push(`<text x="${(x(row.ratio) + 4).toFixed(1)}" y="${y + 15}">${(row.ratio * 100).toFixed(0)} %</text>`);
  });
  const legendY = top + measured.length * rowHeight + 24;
  const legend: Array<[string, string]> = [['bare route', colours['bare']!], ['tollgate', tollgateColour], ['tollgate + JWT', colours['full-jwt']!], ['tollgate + Redis', colours['full-redis']!], ['hand-built peer', colours['peer']!]];
  legend.forEach(([label, colour], index) => {
    const lx = 16 + index * 150;
    parts.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${colour}"/><text x="${lx + 18}" y="${legendY}">${label}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
