// The load side's own requests to the target (the User API for --create-users and the clean-up,
// the integrity audit's Form API) go through the same client as verify: the target's TLS trust
// (`--ca`, `--insecure`) applies, and the web user's password, API key or session never leave the
// target's origin, whatever link or redirect the server hands out (common/http.ts).
import { HqClient } from '../common/http.ts';
import type { Target } from '../common/target.ts';

/** A client for the target; close it when done (it holds a connection pool). */
export function targetClient(target: Pick<Target, 'url' | 'tls'>): HqClient {
  return new HqClient(target.url, { tls: target.tls, userAgent: 'ccready-load' });
}
