// Shared by the verify tests: a stand-in target and short timeouts so every run stays fast.
import { startSim, type RunningSim, type SimOptions } from '../../fixtures/hq-sim/index.ts';
import type { Target } from '../../common/target.ts';

export async function sim(o: SimOptions = {}): Promise<RunningSim> {
  return startSim({ users: 2, casesPerUser: 3, pillowDelayMs: 100, ...o });
}

export function targetOf(s: RunningSim, url = s.url): Target {
  return { url, domain: s.domain, appId: s.appId, mobile: { username: s.mobile.username, password: s.mobile.password }, web: { ...s.web }, odataConfigId: s.odataConfigIds[s.domain] };
}

export function fast(s: RunningSim) {
  return { lagTimeoutMs: 2000, jobTimeoutMs: 3000, restoreTimeoutMs: 5000, pollMs: 100, requestTimeoutMs: 3000 };
}
