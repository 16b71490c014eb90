// The attestations file: who signed off each checkpoint a tool cannot prove (when, where the
// evidence is), and waivers — a checkpoint knowingly left open, with a reason and an expiry date,
// as InSpec's waiver files do. `parseAttestations` and `attestationsTemplate` are pure.
import { parse as parseYaml } from 'yaml';
import { inputError } from '../../common/errors.ts';
import { CHECKPOINTS, isAttested } from './checkpoints.ts';

export interface Attestation {
  by: string;
  /** YYYY-MM-DD */
  date: string;
  link?: string;
  note?: string;
}

export interface Waiver {
  reason: string;
  by?: string;
  /** YYYY-MM-DD: the waiver holds through this day */
  expires: string;
}

export interface Attestations {
  file: string;
  /** the CommCare HQ go-live is for, when the file names it */
  target?: string;
  attestations: Record<string, Attestation>;
  waivers: Record<string, Waiver>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** YAML may hand a date back as a Date or a string; both become YYYY-MM-DD, or an error. */
function day(file: string, key: string, v: unknown): string {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v.trim() : '';
  if (!DAY.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) throw inputError(file, key, `expected a date YYYY-MM-DD, got ${JSON.stringify(v ?? null)}`);
  return s;
}

function text(file: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw inputError(file, key, `expected text, got ${JSON.stringify(v)}`);
  return String(v).trim() || undefined;
}

function checkId(file: string, section: string, id: string): void {
  if (!CHECKPOINTS.some((c) => c.id === id)) {
    throw inputError(file, `${section}.${id}`, `no such checkpoint; expected one of ${CHECKPOINTS.map((c) => c.id).join(', ')}`);
  }
}

/**
 * Reads the attestations file. An entry whose `by` and `date` are both blank (as the template
 * writes them) is not an attestation; one with only one of them is an error.
 */
export function parseAttestations(yamlText: string, file: string, today: string): Attestations {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    throw inputError(file, undefined, `expected YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!obj(raw)) throw inputError(file, undefined, 'expected a mapping with target, attestations and waivers');
  for (const k of Object.keys(raw)) if (!['target', 'attestations', 'waivers'].includes(k)) throw inputError(file, k, 'unknown key; expected target, attestations or waivers');
  const out: Attestations = { file, target: text(file, 'target', raw.target), attestations: {}, waivers: {} };
  for (const section of ['attestations', 'waivers'] as const) {
    const v = raw[section] ?? {};
    if (!obj(v)) throw inputError(file, section, 'expected a mapping of checkpoint id → entry');
  }
  for (const [id, e] of Object.entries((raw.attestations ?? {}) as Record<string, unknown>)) {
    checkId(file, 'attestations', id);
    const proof = CHECKPOINTS.find((c) => c.id === id)!.proof;
    if (proof.length) throw inputError(file, `attestations.${id}`, `this checkpoint is proven by ccready runs (${proof.join(', ')}), not attested; to leave it open knowingly, add a waiver`);
    if (e === null) continue;
    if (!obj(e)) throw inputError(file, `attestations.${id}`, 'expected a mapping with by, date, link, note');
    const by = text(file, `attestations.${id}.by`, e.by);
    const hasDate = e.date !== undefined && e.date !== null && e.date !== '';
    if (!by && !hasDate) continue;
    if (!by) throw inputError(file, `attestations.${id}.by`, 'expected who attests (name and role) next to the date');
    if (!hasDate) throw inputError(file, `attestations.${id}.date`, 'expected the date of the attestation (YYYY-MM-DD)');
    const date = day(file, `attestations.${id}.date`, e.date);
    if (date > today) throw inputError(file, `attestations.${id}.date`, `expected a date not after today (${today}), got ${date}`);
    out.attestations[id] = { by, date, link: text(file, `attestations.${id}.link`, e.link), note: text(file, `attestations.${id}.note`, e.note) };
  }
  for (const [id, w] of Object.entries((raw.waivers ?? {}) as Record<string, unknown>)) {
    checkId(file, 'waivers', id);
    if (!obj(w)) throw inputError(file, `waivers.${id}`, 'expected a mapping with reason, by, expires');
    const reason = text(file, `waivers.${id}.reason`, w.reason);
    if (!reason) throw inputError(file, `waivers.${id}.reason`, 'expected why the checkpoint is waived');
    out.waivers[id] = { reason, by: text(file, `waivers.${id}.by`, w.by), expires: day(file, `waivers.${id}.expires`, w.expires) };
  }
  return out;
}

/** The file `ccready readiness init` writes: every attested checkpoint, blank, with its wording. */
export function attestationsTemplate(): string {
  const lines = [
    '# ccready readiness: sign-offs for the checkpoints of "A Guide to Transition Your CommCare',
    '# Infrastructure" that no tool can prove. Fill in by (name, role) and date (YYYY-MM-DD) for each',
    '# checkpoint once it is done; link points at the evidence (contract, SOP, ticket). Entries left',
    '# blank are not attested. Rows marked [Optional] block nothing when left blank.',
    '#',
    '# target: the CommCare HQ this go-live is for; run evidence about another server is named.',
    'target: ""',
    '',
    'attestations:',
  ];
  for (const c of CHECKPOINTS.filter(isAttested)) {
    lines.push(`  # ${c.section}`);
    for (const l of wrap(c.text, 92)) lines.push(`  #   ${l}`);
    lines.push(`  ${c.id}:`, '    by: ""', '    date: ""', '    link: ""', '    note: ""', '');
  }
  lines.push(
    '# A waiver knowingly leaves a checkpoint open until its expiry date (any checkpoint, automatic',
    '# ones too); an expired waiver blocks go-live again. Example:',
    '#   4.2-error-logging:',
    '#     reason: "Sentry is being procured; errors go to the syslog server meanwhile"',
    '#     by: "A. Banda, MSP lead"',
    '#     expires: 2026-12-31',
    'waivers: {}',
    '',
  );
  return lines.join('\n');
}

function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(/\s+/)) {
    if (line && line.length + w.length + 1 > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
