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
import { runVerify } from '../index.ts';
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
    assert.is(strict.steps.find((x) => x.id === '01-reachability-tls')!.status, 'fail');
    assert.match(strict.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /self[- ]signed|not trusted|certificate/i);
    assert.match(strict.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /--insecure/);
    assert.is(strict.decision.verdict, 'NOT READY');

    const lax = await runVerify(targetOf(s, p.url), { ...fast(s), httpUrl: r301.url, insecure: true });
    const tls = lax.steps.find((x) => x.id === '01-reachability-tls')!;
    assert.is(tls.status, 'warn', tls.reason);
    assert.match(tls.reason!, /accepted because --insecure/);
    assert.match(tls.evidence.join('\n'), /301 redirect to https:\/\//);
    for (const st of lax.steps.slice(1)) assert.ok(st.status === 'pass' || st.id === '11-sms', `${st.id}: ${st.status} ${st.reason}`);
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
    const ok = await runVerify(targetOf(s, pGood.url), { ...fast(s), ca: good.cert, httpUrl: r301.url, only });
    assert.is(ok.steps.find((x) => x.id === '01-reachability-tls')!.status, 'pass', ok.steps.find((x) => x.id === '01-reachability-tls')!.reason);
    assert.ok(ok.steps.find((x) => x.id === '01-reachability-tls')!.metrics!.certDaysLeft >= 363, `days left ${ok.steps.find((x) => x.id === '01-reachability-tls')!.metrics!.certDaysLeft}`);
    assert.is(ok.decision.verdict, 'PARTIAL', 'one step of twelve: never READY');

    const expiring = await runVerify(targetOf(s, pSoon.url), { ...fast(s), ca: soon.cert, httpUrl: r301.url, only });
    assert.is(expiring.steps.find((x) => x.id === '01-reachability-tls')!.status, 'warn');
    assert.match(expiring.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /expires in (9|10) days \(< 30\)/);

    const wrongHost = await runVerify(targetOf(s, pOther.url), { ...fast(s), ca: other.cert, httpUrl: r301.url, only });
    assert.is(wrongHost.steps.find((x) => x.id === '01-reachability-tls')!.status, 'fail');
    assert.match(wrongHost.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /127\.0\.0\.1|altnames|host/i);

    const noRedirect = await runVerify(targetOf(s, pGood.url), { ...fast(s), ca: good.cert, httpUrl: plainUrl, only });
    assert.is(noRedirect.steps.find((x) => x.id === '01-reachability-tls')!.status, 'warn');
    assert.match(noRedirect.steps.find((x) => x.id === '01-reachability-tls')!.reason!, /answered 200, not a redirect to HTTPS/);
  } finally {
    for (const p of proxies) await close(p.server);
    await close(r301.server);
    await close(plain);
    await s.stop();
  }
});

test.run();
