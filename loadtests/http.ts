// fetch for the load side's own requests to the target (the audit's Form API, the User API):
// the target's TLS trust applies as it does for verify (`--ca`, `--insecure`), so a server behind
// a private CA is audited, not refused. One dispatcher per TLS setting, reused.
import { Agent, fetch as undiciFetch } from 'undici';
import type { Target } from '../common/target.ts';

const agents = new Map<string, Agent>();

function agentFor(tls: Target['tls']): Agent | undefined {
  if (!tls?.ca && !tls?.insecure) return undefined;
  const key = `${tls.insecure ? 'insecure' : ''}|${tls.ca ?? ''}`;
  let a = agents.get(key);
  if (!a) {
    a = new Agent({ connect: { rejectUnauthorized: !tls.insecure, ...(tls.ca ? { ca: tls.ca } : {}) } });
    agents.set(key, a);
  }
  return a;
}

export type TargetFetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

/** fetch bound to the target's TLS trust. */
export function targetFetch(target: Pick<Target, 'tls'>): TargetFetch {
  const dispatcher = agentFor(target.tls);
  return (url, init) => undiciFetch(url, { ...init, ...(dispatcher ? { dispatcher } : {}) }) as unknown as Promise<Response>;
}
