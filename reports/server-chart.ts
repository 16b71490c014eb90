// The server's CPU and RAM over a load run as one self-contained SVG (server.svg in the run
// folder), with the request rate k6 reported over the same seconds when its timeline was read, so
// a reader sees the box get busy as the load rises, next to k6's own dashboard.
import type { ServerNumbers } from '../loadtests/server-numbers.ts';
import { esc } from './verify-html.ts';

/** Requests per second between consecutive timeline points (k6 counts requests cumulatively). */
export function requestRates(timeline: { t: number; requests: number }[]): { t: number; rate: number }[] {
  const out: { t: number; rate: number }[] = [];
  for (let i = 1; i < timeline.length; i++) {
    const dt = timeline[i]!.t - timeline[i - 1]!.t;
    if (dt > 0) out.push({ t: timeline[i]!.t, rate: Math.max(0, (timeline[i]!.requests - timeline[i - 1]!.requests) / dt) });
  }
  return out;
}

export function serverChartSvg(n: ServerNumbers, title: string, timeline: { t: number; requests: number }[] = []): string {
  const W = 640;
  const H = 220;
  const pad = { l: 48, r: 48, t: 28, b: 28 };
  const s = n.samples;
  const rates = requestRates(timeline);
  const tMax = Math.max(1, ...s.map((x) => x.t), ...rates.map((x) => x.t));
  const qMax = Math.max(0.1, ...rates.map((x) => x.rate)) * 1.1;
  const cMax = Math.max(0.1, n.cores ?? 0, ...s.map((x) => x.cpuCores));
  const rMax = Math.max(0.1, ...s.map((x) => x.ramGb)) * 1.1;
  const x = (t: number) => (pad.l + (t / tMax) * (W - pad.l - pad.r)).toFixed(1);
  const y = (v: number, max: number) => (H - pad.b - (v / max) * (H - pad.t - pad.b)).toFixed(1);
  const line = (f: (p: (typeof s)[number]) => number, max: number) => s.map((p) => `${x(p.t)},${y(f(p), max)}`).join(' ');
  const r1 = (v: number) => Math.round(v * 10) / 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui,sans-serif" font-size="11">
<title>${esc(title)}</title>
<text x="${pad.l}" y="16" font-size="13">${esc(title)}</text>
<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#8c959f"/>
<text x="${pad.l}" y="${H - 8}">0 s</text><text x="${W - pad.r}" y="${H - 8}" text-anchor="end">${r1(tMax)} s</text>
<text x="${pad.l - 4}" y="${pad.t + 4}" text-anchor="end" fill="#0969da">${r1(cMax)}</text><text x="${pad.l - 4}" y="${H - pad.b}" text-anchor="end" fill="#0969da">0</text>
<text x="${W - pad.r + 4}" y="${pad.t + 4}" fill="#8250df">${r1(rMax)} GB</text>
<polyline fill="none" stroke="#0969da" stroke-width="2" points="${line((p) => p.cpuCores, cMax)}"><title>CPU cores busy</title></polyline>
<polyline fill="none" stroke="#8250df" stroke-width="2" stroke-dasharray="5 3" points="${line((p) => p.ramGb, rMax)}"><title>RAM in use (GB)</title></polyline>
${rates.length ? `<polyline fill="none" stroke="#1a7f37" stroke-width="1.5" stroke-dasharray="2 2" points="${rates.map((p) => `${x(p.t)},${y(p.rate, qMax)}`).join(' ')}"><title>requests per second (k6)</title></polyline>
<text x="${W - pad.r + 4}" y="${pad.t + 18}" fill="#1a7f37">${r1(qMax)}/s</text>` : ''}
<text x="${W - pad.r}" y="16" text-anchor="end"><tspan fill="#0969da">— CPU cores busy</tspan>  <tspan fill="#8250df">- - RAM GB</tspan>${rates.length ? '  <tspan fill="#1a7f37">·· requests/s</tspan>' : ''}</text>
</svg>
`;
}
