// A load run against a server behind a private CA (an internal PKI): `--ca` reaches k6 and the
// audit's Form API calls alike, credentials come from --username/--password/--web-* flags; without
// the CA nothing is trusted and the run fails instead of passing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttps, type Server } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../common/test/run-cli.ts';
import type { RunningSim } from '../../fixtures/hq-sim/index.ts';
import { run, targetOf, withSim } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-load-tls-'));

/** A private CA and a server certificate it signed for 127.0.0.1. */
function privateCa(): { caFile: string; ca: string; key: string; cert: string } {
  const f = (n: string) => join(dir, n);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '30', '-subj', '/CN=ccready load test CA']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=hq.internal']);
  writeFileSync(f('leaf.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '30', '-extfile', f('leaf.ext')]);
  return { caFile: f('ca.pem'), ca: readFileSync(f('ca.pem'), 'utf8'), key: readFileSync(f('leaf.key'), 'utf8'), cert: readFileSync(f('leaf.pem'), 'utf8') };
}

/** HTTPS in front of the stand-in, as nginx would be. */
function tlsFront(backend: RunningSim, c: { key: string; cert: string }): Promise<{ url: string; server: Server }> {
  const port = new URL(backend.url).port;
  const server = createHttps({ key: c.key, cert: c.cert }, (req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

test('load run behind a private CA: --ca trusted by k6 and the audit (PASS); without it, FAIL — never a pass', async () => {
  const pki = privateCa();
  await withSim({}, async (sim) => {
    const front = await tlsFront(sim, pki);
    try {
      const env = join(dir, 'sim.env');
      writeFileSync(env, `CCHQ_URL=${front.url}\nCCHQ_DOMAIN=${sim.domain}\nCCHQ_APP_ID=${targetOf(sim).appId ?? ''}\n`);
      const out = join(dir, 'run-ca');
      const r = await runCli(['load', 'run', '--env-file', env, '--ca', pki.caFile, '--username', sim.mobile.username, '--password', sim.mobile.password,
        '--web-username', sim.web.username, '--web-password', sim.web.password, '--profile', 'smoke', '--audit-timeout', '10', '--out', out]);
      assert.is(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^PASS: thresholds met, \d+ forms acknowledged, lost 0/);
      const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
      assert.is(record.audit.checked, true);
      assert.ok(record.audit.found >= 40, `found ${record.audit.found}`);
      for (const f of ['run.json', 'summary.md', 'report.html', 'k6-config.json']) {
        const text = readFileSync(join(out, f), 'utf8');
        assert.not.ok(text.includes(sim.mobile.password) || text.includes(sim.web.password), `${f} holds a password`);
      }
      // the same server without its CA: k6's requests and the audit are refused, the run is not a pass
      const untrusted = await run(sim, { target: { ...targetOf(sim), url: front.url }, auditTimeoutS: 2 });
      assert.is(untrusted.verdict, 'FAIL');
      assert.is(untrusted.summary.formsAcknowledged, 0);
    } finally {
      await new Promise<void>((r) => {
        front.server.close(() => r());
        front.server.closeAllConnections();
      });
    }
  });
});

test.run();
