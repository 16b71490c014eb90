// Shared by the verify tests: a stand-in target and short timeouts so every run stays fast.
import { startSim, type RunningSim, type SimOptions } from '../../fixtures/hq-sim/index.ts';
import type { Target } from '../../common/target.ts';

export async function sim(o: SimOptions = {}): Promise<RunningSim> {
  // The case export's workbook library takes seconds to load on a busy machine; load it once up
  // front (as HQ's workers have it loaded) so the tests' 3 s job timeout measures the job.
  await import('exceljs');
  return startSim({ users: 2, casesPerUser: 3, pillowDelayMs: 100, ...o });
}

export function targetOf(s: RunningSim, url = s.url): Target {
  return {
    url,
    domain: s.domain,
    appId: s.appId,
    mobile: { username: s.mobile.username, password: s.mobile.password },
    web: { username: s.web.username, password: s.web.password },
    apiKey: s.web.apiKey,
    odataConfigId: s.odataConfigIds[s.domain],
    exportId: s.exportIds[s.domain],
  };
}

/**
 * Short polls, and timeouts generous enough that a healthy stand-in passes even on a loaded shared
 * machine: a healthy step ends as soon as its answer is there, so long timeouts cost nothing; tests
 * of a timeout set their own short one. (2 s timeouts here made healthy runs fail under load.)
 */
export function fast(_s?: RunningSim) {
  return { lagTimeoutMs: 20_000, jobTimeoutMs: 20_000, restoreTimeoutMs: 20_000, pollMs: 100, requestTimeoutMs: 10_000 };
}
