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

/** Rounds of `serverup.txt?only=<service>` probes in step 2. */
export const SERVERUP_ROUNDS = 3;
/** HQ's service checks answer in milliseconds; one that takes a second or more is a lead. */
export const SLOW_CHECK_MS = 1000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : 0;
}

/**
 * Services whose check is slow: over SLOW_CHECK_MS and well above the typical check, so a distant
 * server (every check slow by the same round trip) is not taken for a slow service.
 */
export function slowChecks(msByService: Map<string, number>): string[] {
  const typical = median([...msByService.values()]);
  return [...msByService].filter(([, ms]) => ms >= SLOW_CHECK_MS && ms >= 3 * typical).map(([n]) => n);
}

export function asService(name: string): Service | undefined {
  return (SERVERUP_CHECKS as readonly string[]).includes(name) ? (name as Service) : undefined;
}
