// Restore (sync) as a phone does it: a full restore first, then incremental restores chaining
// since=<restore_id>. A 202 is an async restore under way: wait Retry-After and repeat the same
// request. A 412 means the token is no good any more: drop it and do one full restore.
import { sleep } from 'k6';
import { REJECT_PREFIX, refusesWorker, type K6RunConfig } from '../contract.ts';
import type { WorkerState } from './forms.ts';
import {
  asyncWait, basicAuth, errors, hex32, http, restore202, restore412, restoreCases, restoresFailed, restoresFull,
  restoresIncremental, tagsFor, throttled,
} from './lib.ts';

export function restoreUrl(cfg: K6RunConfig, st: WorkerState, since?: string): string {
  const q: string[] = [`version=${cfg.restore.version}`, `device_id=${encodeURIComponent(st.deviceId)}`];
  if (since) q.push(`since=${encodeURIComponent(since)}`);
  // HQ ignores skip_fixtures on a full restore; send it only where it means something.
  if (since && cfg.restore.skipFixtures) q.push('skip_fixtures=true');
  if (cfg.restore.asUser) q.push(`as=${encodeURIComponent(cfg.restore.asUser)}`);
  const app = cfg.appId ? `${cfg.appId}/` : '';
  return `${cfg.baseUrl}/a/${cfg.domain}/phone/restore/${app}?${q.join('&')}`;
}

export function countCases(body: string): number {
  const m = body.match(/<(?:[A-Za-z_][\w.-]*:)?case[\s>]/g);
  return m ? m.length : 0;
}

export function parseRestoreId(body: string): string | undefined {
  const m = /<(?:[A-Za-z_][\w.-]*:)?restore_id>\s*([^<\s]+)\s*</.exec(body);
  return m ? m[1] : undefined;
}

function parseUserId(body: string): string | undefined {
  const m = /<(?:[A-Za-z_][\w.-]*:)?uuid>\s*([^<\s]+)\s*</.exec(body);
  return m ? m[1] : undefined;
}

interface Outcome {
  status: number;
  ok: boolean;
}

/** One restore request, polled through 202s. */
function restoreRequest(cfg: K6RunConfig, st: WorkerState, since: string | undefined): Outcome & { body: string } {
  const url = restoreUrl(cfg, st, since);
  const headers = { Authorization: basicAuth(st.worker), 'X-OpenRosa-Version': '3.0' };
  let waitStarted: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const res = http.get(url, {
      headers,
      tags: tagsFor(cfg, attempt === 0 ? 'restore' : 'restore_poll', since ? 'restore incremental' : 'restore full'),
      responseCallback: http.expectedStatuses(200, 202, 412),
    });
    const body = typeof res.body === 'string' ? res.body : '';
    if (res.status !== 202) {
      if (waitStarted !== undefined) asyncWait.add(Date.now() - waitStarted, tagsFor(cfg, 'async_wait', 'restore async'));
      return { status: res.status, ok: res.status === 200, body };
    }
    restore202.add(1);
    if (waitStarted === undefined) waitStarted = Date.now();
    const header = Number(res.headers['Retry-After'] ?? '5');
    const wait = Number.isFinite(header) ? Math.min(Math.max(header, 0.05), 60) : 5;
    if ((Date.now() - waitStarted) / 1000 + wait > cfg.restore.maxAsyncWaitS) {
      asyncWait.add(Date.now() - waitStarted, tagsFor(cfg, 'async_wait', 'restore async'));
      return { status: 202, ok: false, body };
    }
    sleep(wait);
  }
}

/**
 * Plain full restores (setup only, not counted as load) to read workers' user ids, ten at a time.
 * OpenRosa 1.0 keeps them synchronous even where async restore is on.
 */
export function learnUserIds(cfg: K6RunConfig, workers: WorkerState['worker'][]): { userIds: Record<string, string>; syncTokens: Record<string, string> } {
  const out: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  for (let i = 0; i < workers.length; i += 10) {
    const chunk = workers.slice(i, i + 10);
    const responses = http.batch(chunk.map((w) => {
      const st: WorkerState = { worker: w, deviceId: `ccready-${cfg.runId}-setup`, openCases: [] };
      return {
        method: 'GET',
        url: restoreUrl(cfg, st, undefined),
        params: { headers: { Authorization: basicAuth(w), 'X-OpenRosa-Version': '1.0' }, tags: { kind: 'setup', name: 'restore (setup: user id)' } },
      };
    }));
    responses.forEach((res, j) => {
      const body = typeof res.body === 'string' ? res.body : '';
      const id = res.status === 200 ? parseUserId(body) : undefined;
      if (id) out[chunk[j].username] = id;
      // The restore id is the worker's sync token, sent with its submissions as a phone does.
      const token = res.status === 200 ? parseRestoreId(body) : undefined;
      if (token) tokens[chunk[j].username] = token;
    });
  }
  return { userIds: out, syncTokens: tokens };
}

/** A sync: incremental when the worker has a token, else full. Returns true on success. */
export function sync(cfg: K6RunConfig, st: WorkerState): boolean {
  let since = st.syncToken;
  // Devices idle past the sync-log retention present a token the server no longer knows.
  if (since && cfg.restore.staleTokenRate > 0 && Math.random() < cfg.restore.staleTokenRate) since = hex32();
  let r = restoreRequest(cfg, st, since);
  if (r.status === 412 && since) {
    restore412.add(1);
    st.syncToken = undefined;
    since = undefined;
    r = restoreRequest(cfg, st, undefined);
  }
  if (r.status === 429) {
    throttled.add(1);
    console.warn(`${REJECT_PREFIX} restore 429 throttled`);
    return false;
  }
  const restoreId = r.ok ? parseRestoreId(r.body) : undefined;
  const ok = r.ok && !!restoreId && /nature="ota_restore_success"/.test(r.body);
  errors.add(!ok, tagsFor(cfg, 'restore', since ? 'restore incremental' : 'restore full'));
  if (!ok) {
    restoresFailed.add(1);
    // 200 without a restore id or success nature is a broken payload, not a refusal.
    const nature = /nature="([^"]+)"/.exec(r.body);
    console.warn(`${REJECT_PREFIX} restore ${r.status} ${nature ? nature[1] : r.status === 200 ? 'no-restore-id' : '-'}${refusesWorker(r.status) ? ` ${st.worker.username}` : ''}`);
    return false;
  }
  (since ? restoresIncremental : restoresFull).add(1);
  restoreCases.add(countCases(r.body), { sync: since ? 'incremental' : 'full' });
  st.syncToken = restoreId;
  if (!st.userId && !cfg.restore.asUser) st.userId = parseUserId(r.body);
  return true;
}
