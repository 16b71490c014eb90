// Pure readers of HQ's health pages: serverup.txt's failure body and the superuser check_services
// listing (corehq/apps/hqadmin/views/system.py server_up, check_services), and what counts as slow.
import { SERVERUP_CHECKS, type Service } from './types.ts';

/** Parses serverup.txt's 500 body: `<strong>postgres</strong>: …` per failing check. */
export function serverupFailures(body: string): string[] {
  return [...body.matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1].trim());
}

/** Parses check_services output: `SUCCESS (Took   0.01s) kafka          : msg` per line. */
export function checkServicesLines(body: string): { status: string; name: string; message: string; tookS: number }[] {
  const text = body.replace(/<br\s*\/?>/gi, '\n').replace(/<\/?pre>/gi, '');
  return [...text.matchAll(/(SUCCESS|FAILURE|EXCEPTION)\s*\(Took\s*([\d.]+)s\)\s*(\S+)\s*:\s*([^\n]*)/g)].map((m) => ({
    status: m[1],
    name: m[3],
    message: m[4].trim(),
    tookS: Number(m[2]),
  }));
}

/**
 * Probes of `serverup.txt?only=<service>` per service in step 2 (and of Formplayer's menu start in
 * step 5). A service failing a fraction p of its checks passes n probes with probability (1 - p)^n.
 * The target is p = 5 % caught in at least 19 of 20 runs, for each of the nine services: with a
 * per-run miss q = 0.95^n, P(≥ 19 of 20) = (1-q)^20 + 20·q·(1-q)^19. n = 90 (q = 0.99 %) gives
 * 98.3 % per service, so one of nine services falls short in one 20-run trial out of seven; n = 120
 * (q = 0.21 %) gives 99.92 %, 99.2 % for all nine (docs/verify.md).
 */
export const PROBES_PER_SERVICE = 120;
/** Every service gets at least this many probes, whatever the time budget. */
export const MIN_PROBES = 3;
/** Probing stops for a service after this many failures: it is named, and "intermittent" or not is clear. */
export const FAILURES_ENOUGH = 3;
/** Wall-clock budget for the probes beyond MIN_PROBES (a slow service is not asked PROBES_PER_SERVICE times). */
export const PROBE_BUDGET_MS = 10_000;
/** HQ's service checks answer in milliseconds; one that takes a second or more is a lead. */
export const SLOW_CHECK_MS = 1000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : 0;
}

/** How far above the typical check a service's median must be to count as slow. */
export const SLOW_MARGIN_MS = 300;

/**
 * Services whose check is consistently slow (their median over every probe) relative to the
 * others' typical check: at least 3× it and SLOW_MARGIN_MS above it. Relative, so a distant server
 * (every check slower by the same round trip) is not taken for a slow service; a median, so one
 * slow answer is not either. PostgreSQL +0.9 s per call is flagged; a uniform 200 ms RTT is not.
 */
export function slowChecks(msByService: Map<string, number>): string[] {
  const all = [...msByService.values()];
  return [...msByService]
    .filter(([name, ms]) => {
      const typical = median([...msByService].filter(([n]) => n !== name).map(([, v]) => v)) || median(all);
      return ms >= 3 * typical && ms - typical >= SLOW_MARGIN_MS;
    })
    .map(([n]) => n);
}

export function asService(name: string): Service | undefined {
  return (SERVERUP_CHECKS as readonly string[]).includes(name) ? (name as Service) : undefined;
}
