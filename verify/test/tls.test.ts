// TLS on loopback: a self-signed certificate generated with openssl, served by a small Node HTTPS
// proxy in front of the stand-in. Untrusted → NOT READY unless --insecure (then a warning); a
// trusted CA → pass; near expiry → warning; wrong host → failure; HTTP must redirect to HTTPS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import { createServer as createHttp, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { runGate, runVerify, type LoadRunner } from '../index.ts';
import type { Target } from '../../common/target.ts';
import { sim, targetOf, fast } from './helpers.ts';
import type { RunningSim } from '../../fixtures/hq-sim/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-tls-'));

function cert(name: string, days: number, san: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', String(days), '-subj', '/CN=ccready test', '-addext', `subjectAltName=${san}`], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}

const listen = (s: Server | HttpsServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
const close = (s: Server | HttpsServer) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });

/** An HTTPS front for the stand-in, as nginx would be. */
async function tlsProxy(backend: RunningSim, c: { key: string; cert: string }): Promise<{ url: string; server: HttpsServer }> {
  const port = new URL(backend.url).port;
  const server = createHttps({ key: c.key, cert: c.cert }, (req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return { url: `https://127.0.0.1:${await listen(server)}`, server };
}

async function redirector(to: string): Promise<{ url: string; server: Server }> {
  const server = createHttp((_req, res) => {
    res.writeHead(301, { location: `${to}/` });
    res.end();
  });
  return { url: `http://127.0.0.1:${await listen(server)}`, server };
}

const good = cert('good', 365, 'IP:127.0.0.1,DNS:localhost');
const soon = cert('soon', 10, 'IP:127.0.0.1');
const other = cert('other', 365, 'DNS:example.org');

test('self-signed certificate: NOT READY without --insecure, READY WITH WARNINGS with it (full run over TLS)', async () => {
  const s = await sim();
  const p = await tlsProxy(s, good);
  const r301 = await redirector(p.url);
  try {
    const strict = await runVerify(targetOf(s, p.url), { ...fast(s), httpUrl: r301.url, only: ['01-reachability-tls'] });
    // Caught by the preflight: a configuration problem naming --ca/--insecure, no service blamed.
    const pre = strict.steps.find((x) => x.id === '00-preflight')!;
    assert.is(pre.status, 'fail');
    assert.match(pre.reason!, /not trusted/i);
    assert.match(pre.reason!, /--ca FILE .*--insecure/);
    assert.is(strict.steps.find((x) => x.id === '01-reachability-tls')!.blockedBy, '00-preflight');
    assert.is(strict.decision.verdict, 'NOT READY');
    assert.is(strict.decision.cause, 'configuration');
    assert.equal(strict.decision.suspects, []);

    const lax = await runVerify({ ...targetOf(s, p.url), tls: { insecure: true } }, { ...fast(s), httpUrl: r301.url });
    const tls = lax.steps.find((x) => x.id === '01-reachability-tls')!;
    assert.is(tls.status, 'warn', tls.reason);
    assert.match(tls.reason!, /accepted because --insecure/);
    assert.match(tls.evidence.join('\n'), /301 redirect to https:\/\//);
    for (const st of lax.steps.filter((x) => x.id !== '01-reachability-tls')) assert.ok(st.status === 'pass' || st.id === '11-sms', `${st.id}: ${st.status} ${st.reason}`);
    assert.is(lax.decision.verdict, 'READY WITH WARNINGS', lax.decision.summary);
    assert.is(lax.decision.exitCode, 0);
  } finally {
    await close(p.server);
    await close(r301.server);
    await s.stop();
  }
});

test('trusted CA → pass with days to expiry; expiring in 10 days → warning; wrong host → failure; no redirect → warning', async () => {
  const s = await sim();
  const only = ['01-reachability-tls'];
  const proxies = [await tlsProxy(s, good), await tlsProxy(s, soon), await tlsProxy(s, other)];
  const [pGood, pSoon, pOther] = proxies;
  const r301 = await redirector(pGood.url);
  const plain = createHttp((_q, res) => res.end('hello'));
  const plainUrl = `http://127.0.0.1:${await listen(plain)}`;
  try {
    const ok = await runVerify({ ...targetOf(s, pGood.url), tls: { ca: good.cert } }, { ...fast(s), httpUrl: r301.url, only });
    assert.is(ok.steps.find((x) => x.id === '01-reachability-tls')!.status, 'pass', ok.steps.find((x) => x.id === '01-reachability-tls')!.reason);
    assert.ok(ok.steps.find((x) => x.id === '01-reachability-tls')!.metrics!.certDaysLeft >= 363, `days left ${ok.steps.find((x) => x.id === '01-reachability-tls')!.metrics!.certDaysLeft}`);
    assert.is(ok.decision.verdict, 'PARTIAL', 'one step of twelve: never READY');

    const expiring = await runVerify({ ...targetOf(s, pSoon.url), tls: { ca: soon.cert } }, { ...fast(s), httpUrl: r301.url, only });
    assert.is(expiring.steps.find((x) => x.id === '01-reachability-tls')!.status, 'warn');
    assert.match(expiring.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /expires in (9|10) days \(< 30\)/);

    const wrongHost = await runVerify({ ...targetOf(s, pOther.url), tls: { ca: other.cert } }, { ...fast(s), httpUrl: r301.url, only });
    assert.is(wrongHost.steps.find((x) => x.id === '00-preflight')!.status, 'fail');
    assert.match(wrongHost.steps.find((x) => x.id === '00-preflight')!.reason!, /not valid for "127\.0\.0\.1"/);
    assert.is(wrongHost.decision.cause, 'configuration');

    const noRedirect = await runVerify({ ...targetOf(s, pGood.url), tls: { ca: good.cert } }, { ...fast(s), httpUrl: plainUrl, only });
    assert.is(noRedirect.steps.find((x) => x.id === '01-reachability-tls')!.status, 'warn');
    assert.match(noRedirect.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /answered 200, not a redirect to HTTPS/);
  } finally {
    for (const p of proxies) await close(p.server);
    await close(r301.server);
    await close(plain);
    await s.stop();
  }
});

/** A private CA and a server certificate it signed, as an internal PKI issues them. */
function privateCa(): { caFile: string; ca: string; key: string; cert: string } {
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '400', '-subj', '/CN=ccready private CA']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=hq.internal']);
  writeFileSync(f('leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '400', '-extfile', f('leaf.ext')]);
  return { caFile: f('ca.pem'), ca: readFileSync(f('ca.pem'), 'utf8'), key: readFileSync(f('leaf.key'), 'utf8'), cert: readFileSync(f('leaf.pem'), 'utf8') };
}

test('gate behind a private CA: --ca is trusted by every verify step and reaches the load runner with the target', async () => {
  const pki = privateCa();
  const s = await sim();
  const p = await tlsProxy(s, pki);
  const r301 = await redirector(p.url);
  try {
    let loadTarget: Target | undefined;
    const load: LoadRunner = async (o) => {
      loadTarget = o.target;
      return { runId: 'l', reportDir: o.out, exitCode: 0, thresholdsOk: true, lost: 0, missingFormIds: [], acknowledged: 5, audit: { checked: true } };
    };
    const r = await runGate({ ...targetOf(s, p.url), tls: { ca: pki.ca, caFile: pki.caFile } }, { ...fast(s), httpUrl: r301.url, outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 3000, loadRunner: load });
    assert.is(r.decision.verdict, 'READY', r.decision.summary);
    assert.match(r.steps.find((x) => x.id === '01-reachability-tls')!.evidence.join('\n'), /issuer .*ccready private CA/);
    assert.is(loadTarget?.tls?.caFile, pki.caFile, 'the load runner did not get the CA');

    // The same from the command line: --ca FILE is read once into the target.
    const env = join(dir, 'sim.env');
    writeFileSync(env, Object.entries({ ...s.env(), CCHQ_URL: p.url }).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
    const out = join(dir, 'gate-cli');
    const root = new URL('../../', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'gate', '--env-file', env, '--ca', pki.caFile, '--http-url', r301.url, '--out', out, '--wait', '5', '--no-load', '--only', '01-reachability-tls', '02-service-health'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    await new Promise((res) => child.on('close', res));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const by = Object.fromEntries(report.steps.map((x: { id: string }) => [x.id, x]));
    assert.is(by['00-wait-serverup'].status, 'pass', text);
    assert.is(by['01-reachability-tls'].status, 'pass', text);
    assert.is(by['02-service-health'].status, 'pass', text);
    const without = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'verify', '--env-file', env, '--http-url', r301.url, '--out', join(dir, 'no-ca'), '--only', '01-reachability-tls'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let t2 = '';
    without.stdout.on('data', (d) => (t2 += d));
    const code = await new Promise((res) => without.on('close', res));
    assert.is(code, 1, t2);
    assert.match(t2, /--ca FILE/);
  } finally {
    await close(p.server);
    await close(r301.server);
    await s.stop();
  }
});

test.run();
