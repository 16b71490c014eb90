// Step 12 and the cleanup after an interrupt or a partial run: close the case the run opened, retire
// the worker it created and the workers its bulk upload created, each tagged with the run id.
import type { Recorder } from './step.ts';
import { domainPath, type VerifyContext } from './context.ts';
import { followUpForm } from './forms.ts';
import { submit, walkUsers } from './mobile.ts';
import { api } from './api.ts';

/** Also used after an interrupt: closes what the run created, so nothing is left open. */
export async function cleanup(ctx: VerifyContext, rec: Recorder): Promise<void> {
  ctx.state.cleanedUp = true;
  await retireBulkUsers(ctx, rec);
  const worker = ctx.state.worker;
  if (!worker) {
    if (ctx.state.bulkUsers?.length) return;
    rec.skip('nothing was created', ctx.target.web ? '04-mobile-worker' : undefined);
  }
  if (ctx.state.caseId) {
    const close = followUpForm({ userId: worker.id, username: worker.username.split('@')[0] }, ctx.state.caseId, { ccready_run: ctx.runId, check_step: 'cleanup' }, { close: true });
    await submit(ctx, rec, worker, close.xml, 'close', close.xmlns, false);
    rec.see(`case ${ctx.state.caseId} closed, tagged ccready_run=${ctx.runId}`);
  }
  if (worker.created && ctx.target.web) {
    const path = `${domainPath(ctx)}/api/user/v1/${encodeURIComponent(worker.id)}/`;
    const r = await api(ctx, rec, 'DELETE', path, { what: 'User API retire' });
    rec.see(`DELETE ${path} → ${r.status}`);
    if (r.status !== 202 && r.status !== 204 && r.status !== 200) rec.fail(`could not retire worker ${worker.username}: ${r.status}`);
    rec.see(`worker ${worker.username} (tagged ccready_run=${ctx.runId}) retired`);
  } else if (!worker.created) rec.see('the configured mobile worker was used and is left as it was');
}

async function retireBulkUsers(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const names = ctx.state.bulkUsers ?? [];
  if (!names.length || !ctx.target.web) return;
  const ids = new Map<string, string>();
  await walkUsers(ctx, rec, (users) => {
    for (const u of users) {
      const bare = u.username?.split('@')[0];
      if (bare && u.id && names.includes(bare)) ids.set(bare, u.id);
    }
    return ids.size >= names.length;
  });
  for (const name of names) {
    const id = ids.get(name);
    if (!id) {
      rec.warn(`bulk-uploaded worker ${name} not found in the listing: retire it by hand`);
      continue;
    }
    const r = await api(ctx, rec, 'DELETE', `${domainPath(ctx)}/api/user/v1/${encodeURIComponent(id)}/`, { what: 'User API retire' });
    rec.see(`bulk-uploaded worker ${name} retired → ${r.status}`);
    if (r.status >= 300) rec.warn(`could not retire bulk-uploaded worker ${name}: ${r.status}`);
  }
}






