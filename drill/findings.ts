// The drill's comparisons by content: each reads one kind of drill item back through HQ's APIs and
// names the item and what differs, so a check can say which store lost or changed data.
import { createHash } from 'node:crypto';
import { domainPath, type Recorder, type VerifyContext } from '../verify/index.ts';
import type { DrillManifest } from './manifest.ts';

export const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

export async function api(ctx: VerifyContext, path: string): Promise<{ status: number; bytes: Buffer; json?: Record<string, unknown> }> {
  const r = await ctx.client.get(`${domainPath(ctx)}${path}`, { auth: ctx.target.web, headers: { accept: 'application/json' } });
  let json: Record<string, unknown> | undefined;
  try {
    json = r.status === 200 ? JSON.parse(r.text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, bytes: r.bytes, json };
}

export type Finding = { item: string; why: string };

export async function formFindings(ctx: VerifyContext, m: DrillManifest): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of m.forms) {
    const r = await api(ctx, `/api/form/attachment/${encodeURIComponent(f.formId)}/form.xml`);
    if (r.status !== 200) out.push({ item: `form ${f.formId}`, why: `missing (${r.status})` });
    else if (sha256(r.bytes) !== f.sha256) out.push({ item: `form ${f.formId}`, why: 'XML changed (sha256 differs)' });
  }
  return out;
}

export async function attachmentFindings(ctx: VerifyContext, m: DrillManifest): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of m.forms) {
    for (const a of f.attachments) {
      const r = await api(ctx, `/api/form/attachment/${encodeURIComponent(f.formId)}/${encodeURIComponent(a.name)}`);
      if (r.status !== 200) out.push({ item: `${f.formId}/${a.name}`, why: `missing (${r.status})` });
      else if (sha256(r.bytes) !== a.sha256) out.push({ item: `${f.formId}/${a.name}`, why: `changed (sha256 ${sha256(r.bytes).slice(0, 12)}… ≠ ${a.sha256.slice(0, 12)}…, ${r.bytes.length} bytes)` });
    }
  }
  return out;
}

export async function caseFindings(ctx: VerifyContext, m: DrillManifest): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const c of m.cases) {
    const r = await api(ctx, `/api/case/v2/${encodeURIComponent(c.caseId)}`);
    if (r.status !== 200 || !r.json) {
      out.push({ item: `case ${c.caseId}`, why: `missing (${r.status})` });
      continue;
    }
    const props = (r.json.properties ?? {}) as Record<string, string>;
    const changed = Object.entries(c.properties).filter(([k, v]) => props[k] !== v);
    if (changed.length) out.push({ item: `case ${c.caseId}`, why: `changed: ${changed.map(([k, v]) => `${k} ${JSON.stringify(props[k])} ≠ ${JSON.stringify(v)}`).join(', ')}` });
    else if (r.json.case_name !== c.caseName) out.push({ item: `case ${c.caseId}`, why: `case_name ${JSON.stringify(r.json.case_name)} ≠ ${JSON.stringify(c.caseName)}` });
  }
  return out;
}

export async function workerFindings(ctx: VerifyContext, m: DrillManifest): Promise<Finding[]> {
  const r = await api(ctx, `/api/user/v1/${encodeURIComponent(m.worker.id)}/`);
  if (r.status !== 200 || !r.json) return [{ item: `mobile worker ${m.worker.username}`, why: `missing (${r.status})` }];
  const data = (r.json.user_data ?? {}) as Record<string, string>;
  const changed = Object.entries(m.worker.userData).filter(([k, v]) => data[k] !== v);
  return changed.length ? [{ item: `mobile worker ${m.worker.username}`, why: `user data changed: ${changed.map(([k]) => k).join(', ')}` }] : [];
}

export function judge(rec: Recorder, store: string, total: number, found: Finding[]): void {
  rec.see(`${store}: ${total - found.length}/${total} drill items present and unchanged`);
  for (const f of found.slice(0, 20)) rec.see(`${f.item}: ${f.why}`);
  rec.metric('lostOrChanged', found.length);
  if (found.length) rec.fail(`${store} lost or changed ${found.length} of ${total} drill items (e.g. ${found[0].item}: ${found[0].why})`);
}

/** The app build files the drill fingerprints: what a phone installs (profile) and its menus (suite). */
export const APP_BUILD_FILES = ['profile.ccpr', 'suite.xml'] as const;

/**
 * Fingerprints the app build's files. HQ writes the server's own address into them (update and
 * remote resource URLs), so that address is taken out first: a restore onto another box at another
 * URL still has the same build.
 */
export async function appBuildHashes(ctx: VerifyContext, appId: string): Promise<{ file: string; status: number; sha256?: string; size: number }[]> {
  const origin = new URL(ctx.target.url).origin;
  const out = [];
  for (const file of APP_BUILD_FILES) {
    const r = await ctx.client.get(`${domainPath(ctx)}/apps/download/${encodeURIComponent(appId)}/${file}`);
    out.push({ file, status: r.status, size: r.bytes.length, ...(r.status === 200 ? { sha256: sha256(r.text.split(origin).join('<server>')) } : {}) });
  }
  return out;
}

export async function appBuildFindings(ctx: VerifyContext, m: DrillManifest): Promise<Finding[]> {
  const build = m.appBuild;
  if (!build) return [];
  const now = await appBuildHashes(ctx, build.appId);
  return build.files.flatMap((f): Finding[] => {
    const n = now.find((x) => x.file === f.file);
    if (!n || n.status !== 200) return [{ item: `app build ${build.appId} ${f.file}`, why: `missing (${n?.status ?? 'not asked'})` }];
    return n.sha256 === f.sha256 ? [] : [{ item: `app build ${build.appId} ${f.file}`, why: `changed (sha256 ${n.sha256!.slice(0, 12)}… ≠ ${f.sha256.slice(0, 12)}…)` }];
  });
}
