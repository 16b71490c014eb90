// The pure half of `verify migration`: given what each server's APIs listed, what differs. No HTTP
// here (verify/collect/ pages the APIs), so every rule is unit-tested on plain data.
import { createHash } from 'node:crypto';

/** One form as listed by the Form API: enough to count it and to compare its content. */
export interface FormDigest {
  id: string;
  xmlns: string;
  /** sha256 of the form's data (the Form API's `form` object, keys sorted). */
  hash: string;
}

/** Cases counted by the month they were opened and their case type: `YYYY-MM|type` → count. */
export type CaseTally = Map<string, number>;

export type DifferenceKind = 'forms' | 'cases' | 'form-content' | 'form-missing' | 'users' | 'restore';

export interface Difference {
  kind: DifferenceKind;
  month?: string;
  xmlns?: string;
  caseType?: string;
  formId?: string;
  /** A sampled mobile worker (restore differences). */
  worker?: string;
  /** Why a restore failed, as the target said it. */
  detail?: string;
  source: number;
  target: number;
  /** target − source: negative means the target holds less. */
  difference: number;
}

export interface MonthResult {
  month: string;
  sourceForms: number;
  targetForms: number;
  sampled: number;
  differences: Difference[];
}

/** JSON with object keys sorted at every level: the same data hashes alike whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export const contentHash = (formData: unknown): string => createHash('sha256').update(canonicalJson(formData)).digest('hex');

const countBy = <T>(xs: T[], key: (x: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

/**
 * The forms to compare by content: `n` of the source's forms of the month, spread evenly over
 * them in id order (the same choice on every run, whatever order the server listed them in).
 */
export function sampleForms<T extends { id: string }>(forms: T[], n: number): T[] {
  if (n <= 0 || !forms.length) return [];
  const sorted = [...forms].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length <= n) return sorted;
  return Array.from({ length: n }, (_, i) => sorted[Math.floor((i * sorted.length) / n)]);
}

/** One month: form counts by xmlns, then the sampled forms' presence and content on the target. */
export function compareMonth(month: string, source: FormDigest[], target: FormDigest[], samplesPerMonth: number): MonthResult {
  const differences: Difference[] = [];
  const s = countBy(source, (f) => f.xmlns);
  const t = countBy(target, (f) => f.xmlns);
  for (const xmlns of [...new Set([...s.keys(), ...t.keys()])].sort()) {
    const a = s.get(xmlns) ?? 0;
    const b = t.get(xmlns) ?? 0;
    if (a !== b) differences.push({ kind: 'forms', month, xmlns, source: a, target: b, difference: b - a });
  }
  const onTarget = new Map(target.map((f) => [f.id, f]));
  const sample = sampleForms(source, samplesPerMonth);
  for (const f of sample) {
    const other = onTarget.get(f.id);
    if (!other) differences.push({ kind: 'form-missing', month, xmlns: f.xmlns, formId: f.id, source: 1, target: 0, difference: -1 });
    else if (other.hash !== f.hash) differences.push({ kind: 'form-content', month, xmlns: f.xmlns, formId: f.id, source: 1, target: 1, difference: 0 });
  }
  return { month, sourceForms: source.length, targetForms: target.length, sampled: sample.length, differences };
}

/** Case counts by opening month and case type. */
export function compareCases(source: CaseTally, target: CaseTally): Difference[] {
  const out: Difference[] = [];
  for (const key of [...new Set([...source.keys(), ...target.keys()])].sort()) {
    const a = source.get(key) ?? 0;
    const b = target.get(key) ?? 0;
    if (a === b) continue;
    const [month, caseType] = key.split('|');
    out.push({ kind: 'cases', month, caseType, source: a, target: b, difference: b - a });
  }
  return out;
}

/**
 * One sampled mobile worker: the source's open cases they own (`expected`) against what their
 * restore on the target carries. A restore that fails, or lacks any of those cases, is a difference.
 */
export function compareRestore(worker: string, expected: string[], restore: { ok: true; caseIds: Set<string> } | { ok: false; status: number; reason: string }): Difference | null {
  if (!restore.ok) return { kind: 'restore', worker, source: expected.length, target: 0, difference: -expected.length, detail: `${restore.status} ${restore.reason}`.trim() };
  const missing = expected.filter((id) => !restore.caseIds.has(id));
  if (!missing.length) return null;
  return { kind: 'restore', worker, source: expected.length, target: expected.length - missing.length, difference: -missing.length, detail: `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}` };
}

/** One line naming a difference, in the domain's words. */
export function describe(d: Difference): string {
  const n = (x: number) => (x > 0 ? `+${x}` : String(x));
  switch (d.kind) {
    case 'forms':
      return `${d.month} forms of ${d.xmlns}: source ${d.source}, target ${d.target} (${n(d.difference)})`;
    case 'cases':
      return `${d.month} cases of type ${d.caseType || '(none)'} opened: source ${d.source}, target ${d.target} (${n(d.difference)})`;
    case 'form-missing':
      return `${d.month} form ${d.formId} (${d.xmlns}) is not on the target`;
    case 'form-content':
      return `${d.month} form ${d.formId} (${d.xmlns}) differs in content on the target`;
    case 'users':
      return `mobile workers: source ${d.source}, target ${d.target} (${n(d.difference)})`;
    case 'restore':
      return d.target === 0 && d.detail && !d.detail.startsWith('missing')
        ? `mobile worker ${d.worker} does not restore on the target (${d.detail}); the source has ${d.source} open cases of theirs`
        : `mobile worker ${d.worker} restores on the target with ${d.target} of their ${d.source} open cases (${n(d.difference)}; ${d.detail})`;
  }
}
