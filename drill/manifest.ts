// The backup drill's manifest: what `drill backup write` put into each store, with content hashes,
// so that `check` can compare by content after a restore. No password is kept in it.
import { readFileSync } from 'node:fs';
import { inputError, UsageError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/runs.ts';

export const DRILL_FORMAT = 'ccready-drill/1';

export interface DrillManifest {
  format: typeof DRILL_FORMAT;
  drillId: string;
  createdAt: string;
  target: string;
  domain: string;
  /** The app build the forms name (`CCHQ_APP_ID`), when one was given. */
  appId?: string;
  /** The app build the worker's forms were submitted with (Couch apps): its files' fingerprints, the server address taken out. */
  appBuild?: { appId: string; files: { file: string; sha256: string; size: number }[] };
  /** The mobile worker the drill created (CouchDB users), and the user data it was given. */
  worker: { id: string; username: string; userData: Record<string, string> };
  /** Forms (PostgreSQL + BlobDB): the sha256 of the XML as sent, and of each attachment. */
  forms: { formId: string; xmlns: string; caseId: string; sha256: string; attachments: { name: string; sha256: string; size: number }[] }[];
  /** Cases as the Case API (Elasticsearch) must show them. */
  cases: { caseId: string; caseName: string; properties: Record<string, string> }[];
  /** Small forms written every `everyS` seconds after the write, until stopped: the restore shows how much recent data it lost. */
  trickle: { everyS: number; forms: { formId: string; at: string }[] };
  /**
   * When `drill backup retire` (or the upgrade rehearsal) retired the worker. A second retire asks
   * HQ nothing: its obj_delete answers an already retired id with a 500, which would read as a
   * failing server.
   */
  retiredAt?: string;
}

export function saveManifest(path: string, m: DrillManifest): void {
  writeFileAtomic(path, `${JSON.stringify(m, null, 1)}\n`, 0o600);
}

export function readManifest(path: string): DrillManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read the drill manifest (${(e as NodeJS.ErrnoException).code ?? e}); run \`ccready drill backup write\` first`);
  }
  let m: DrillManifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw inputError(path, undefined, 'expected a JSON drill manifest');
  }
  if (m?.format !== DRILL_FORMAT) throw inputError(path, 'format', `expected "${DRILL_FORMAT}", got ${JSON.stringify(m?.format)}`);
  for (const k of ['drillId', 'domain', 'createdAt'] as const) if (typeof m[k] !== 'string' || !m[k]) throw inputError(path, k, 'expected a non-empty string');
  if (typeof m.worker?.id !== 'string' || typeof m.worker.userData !== 'object') throw inputError(path, 'worker', 'expected {id, username, userData}');
  if (!Array.isArray(m.forms) || !m.forms.length) throw inputError(path, 'forms', 'expected a non-empty list');
  if (!Array.isArray(m.cases)) throw inputError(path, 'cases', 'expected a list');
  if (!Array.isArray(m.trickle?.forms)) throw inputError(path, 'trickle.forms', 'expected a list');
  if (m.appBuild !== undefined && (typeof m.appBuild?.appId !== 'string' || !Array.isArray(m.appBuild.files))) throw inputError(path, 'appBuild', 'expected {appId, files}');
  m.forms.forEach((f, i) => {
    if (typeof f?.formId !== 'string' || typeof f.sha256 !== 'string' || !Array.isArray(f.attachments)) throw inputError(path, `forms[${i}]`, 'expected {formId, xmlns, caseId, sha256, attachments}');
  });
  return m;
}
