// Mobile workers for a run: from a CSV file, from the CCHQ_USERNAME/CCHQ_PASSWORD pair, or created
// through HQ's User API (`--create-users N`) and removed afterwards. Passwords stay in memory and
// in a 0600 file handed to k6; they never reach output or reports.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inputError, RunError, UsageError } from '../common/errors.ts';
import type { Target } from '../common/target.ts';
import type { MobileWorker } from './contract.ts';
import { targetClient } from './http.ts';

/** Mobile worker usernames are user@<domain>.commcarehq.org; a bare name gets that suffix. */
export function fullUsername(username: string, domain: string): string {
  return username.includes('@') ? username : `${username}@${domain}.commcarehq.org`;
}

/** Parses `username,password[,user_id]` lines (a header line is recognised and skipped). */
export function parseUsersCsv(text: string, file: string, domain: string): MobileWorker[] {
  const out: MobileWorker[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const cells = t.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (i === 0 && cells[0].toLowerCase() === 'username') return;
    if (cells.length < 2 || !cells[0] || !cells[1]) throw inputError(`${file}:${i + 1}`, undefined, 'expected username,password[,user_id]');
    out.push({ username: fullUsername(cells[0], domain), password: cells[1], ...(cells[2] ? { userId: cells[2] } : {}) });
  });
  if (out.length === 0) throw inputError(file, undefined, 'expected at least one username,password line, found none');
  return out;
}

export function readUsersCsv(path: string, domain: string): MobileWorker[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw inputError('--users-csv', undefined, `cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return parseUsersCsv(text, path, domain);
}

export interface CreatedUsers {
  workers: MobileWorker[];
  ids: string[];
}

/** Creates N mobile workers through the User API (needs a web user with Edit Mobile Workers + API access). */
export async function createUsers(target: Target, n: number, runId: string, onCreated?: (ids: string[]) => void): Promise<CreatedUsers> {
  if (!target.web) throw new UsageError('--create-users: needs a web user with API access (set CCHQ_WEB_USERNAME and CCHQ_WEB_PASSWORD)');
  if (!(Number.isInteger(n) && n > 0 && n <= 10000)) throw new UsageError(`--create-users: expected a whole number from 1 to 10000, got ${n}`);
  const created: CreatedUsers = { workers: [], ids: [] };
  const tag = runId.slice(-6);
  const client = targetClient(target);
  try {
    for (let i = 1; i <= n; i++) {
      const username = `ccready-${tag}-${i}`;
      const password = randomBytes(12).toString('hex');
      const res = await client.post(`/a/${target.domain}/api/user/v1/`, JSON.stringify({ username, password, first_name: 'ccready', last_name: `load test ${tag}` }), {
        auth: target.web,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        timeoutMs: 30000,
      });
      const text = res.text;
      if (res.status !== 201 && res.status !== 200) {
        throw new RunError(`--create-users: the User API answered ${res.status} creating ${username} (expected 201; the web user needs Edit Mobile Workers and Access APIs)`);
      }
      let body: { id?: string; username?: string };
      try {
        body = JSON.parse(text);
      } catch {
        throw new RunError(`--create-users: the User API answered 201 but not JSON for ${username}`);
      }
      if (!body.id) throw new RunError(`--create-users: the User API response for ${username} has no id`);
      created.ids.push(body.id);
      // Recorded before the next one is made: a run killed mid-creation still knows what it left.
      onCreated?.(created.ids);
      created.workers.push({ username: fullUsername(body.username ?? username, target.domain), password, userId: body.id });
    }
  } catch (e) {
    await deleteUsers(target, created.ids).catch(() => undefined);
    throw e;
  } finally {
    await client.close();
  }
  return created;
}

/** Removes created workers again; returns the ids that could not be removed. */
export async function deleteUsers(target: Target, ids: string[]): Promise<string[]> {
  const failed: string[] = [];
  if (!target.web) return ids;
  const client = targetClient(target);
  try {
    for (const id of ids) {
      try {
        const res = await client.request('DELETE', `/a/${target.domain}/api/user/v1/${id}/`, { auth: target.web, timeoutMs: 30000 });
        if (![200, 202, 204].includes(res.status)) failed.push(id);
      } catch {
        failed.push(id);
      }
    }
  } finally {
    await client.close();
  }
  return failed;
}
