// Which release a CommCare HQ server runs, as HQ itself reports it. HQ keeps one HqDeploy row per
// successful deploy (corehq/apps/hqadmin/models.py HqDeploy: date, user, environment, diff_url),
// written by `manage.py record_deploy_success` (corehq/apps/hqadmin/management/commands/
// record_deploy_success.py Command.handle), which commcare-cloud calls at the end of every deploy
// with `--url` set to the GitHub compare URL `<repo>/compare/<previous commit>...<deployed commit>`
// (src/commcare_cloud/commands/deploy/commcare.py call_record_deploy_success; deploy_diff.py
// DeployDiff.url). The superuser System Info page shows them, newest first
// (corehq/apps/hqadmin/views/system.py SystemInfoView.page_context `deploy_history`; templates
// hqadmin/system_info.html "Last deployed on … by …" and hqadmin/partials/deploy_history.html, one row
// per deploy with a "diff with previous" link). So the deployed commit is the end of the newest
// row's compare URL (`None...<commit>` on a first deploy: DeployDiff.url formats a missing previous
// commit as is); without a diff URL, the newest deploy's date and user identify the release.
import { Recorder, StepEnd } from './step.ts';
import type { VerifyContext } from './context.ts';
import { CookieJar } from './http.ts';
import { webLogin } from './web.ts';

export interface DeployedVersion {
  /** What the report names: the deployed commit, else "deployed <date> by <user>". */
  label: string;
  /** The deployed commit (the compare URL's head). */
  commit?: string;
  /** The commit deployed before it (the compare URL's base). */
  previous?: string;
  /** The newest deploy's date and user, as the page shows them. */
  deployedAt?: string;
  by?: string;
}

export const SYSTEM_INFO_PATH = '/hq/admin/system/';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();

/** Reads the newest deploy from the System Info page; undefined when the page shows none. */
export function parseDeployRecord(html: string): DeployedVersion | undefined {
  const alert = /Last deployed on ([^<]*?) at ([\d:]+) UTC[^<]*?\bby ([^<]*)</.exec(html.replace(/\s+/g, ' '));
  const history = /Deploy History[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  const firstRow = /<tr>([\s\S]*?)<\/tr>/.exec(history)?.[1] ?? '';
  const compare = /href="[^"]*\/compare\/([^".]+(?:\.[^".]+)*)\.\.\.([^"/]+)"/.exec(firstRow);
  const deployedAt = alert ? `${alert[1].trim()} ${alert[2]} UTC` : undefined;
  const by = alert ? text(alert[3]) : undefined;
  if (compare) return { label: decodeURIComponent(compare[2]), commit: decodeURIComponent(compare[2]), ...(compare[1] !== 'None' ? { previous: decodeURIComponent(compare[1]) } : {}), deployedAt, by };
  if (alert) return { label: `deployed ${deployedAt} by ${by}`, deployedAt, by };
  return undefined;
}

/**
 * Reads the deployed version with the web user's session (logging in when the jar has none or it
 * expired, as after a restart). Returns the reason instead when the page cannot be read.
 */
export async function readDeployedVersion(ctx: VerifyContext, jar: CookieJar): Promise<{ version?: DeployedVersion; evidence: string; problem?: string }> {
  let page = await ctx.client.get(SYSTEM_INFO_PATH, { jar });
  if (page.status === 302 && /\/login\//.test(page.headers.location ?? '')) {
    const rec = new Recorder();
    try {
      const fresh = (await webLogin(ctx, rec)).jar;
      for (const name of ['sessionid', 'csrftoken']) {
        const v = fresh.get(name);
        if (v) jar.store([`${name}=${v}`]);
      }
    } catch (e) {
      const why = e instanceof StepEnd ? e.why : (e as Error).message;
      return { evidence: `log in to read ${SYSTEM_INFO_PATH}: ${why}`, problem: `cannot log in to read the deployed version: ${why}` };
    }
    page = await ctx.client.get(SYSTEM_INFO_PATH, { jar });
  }
  const evidence = `GET ${SYSTEM_INFO_PATH} → ${page.status}${page.headers.location ? ` → ${page.headers.location}` : ''} (${page.ms} ms)`;
  if (page.status !== 200) {
    return { evidence, problem: `${SYSTEM_INFO_PATH} answered ${page.status}${page.status === 302 ? ' (a redirect: the web user must be a superuser to see System Info)' : ''}` };
  }
  const version = parseDeployRecord(page.text);
  if (!version) return { evidence, problem: `${SYSTEM_INFO_PATH} shows no deploy record (HQ records one with \`manage.py record_deploy_success\` at the end of each deploy)` };
  return { version, evidence };
}
