// The reports of a real run: the self-contained HTML opens in headless Chromium with no errors and
// no outside requests, shows the verdict, suspects and every step; Markdown and JUnit agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVerify } from '../index.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { checkHtmlInChromium, chromiumAvailable, CHROMIUM_PATH } from '../../reports/browser.ts';
import { sim, targetOf, fast } from './helpers.ts';

test('NOT READY report (redis down, with --local host checks) renders in Chromium with verdict, suspects and all steps', async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM_PATH} (npm run setup installs it)`);
  const s = await sim({ faults: { redis: { mode: 'down' } } });
  const dir = mkdtempSync(join(tmpdir(), 'ccready-html-'));
  try {
    const r = await runVerify(targetOf(s), { ...fast(s), local: { server: parseServerSpec('1c/0.5GB/0.1GB'), dataPath: tmpdir(), addresses: [] } });
    assert.is(r.decision.verdict, 'NOT READY');
    assert.is(r.steps.length, 17);
    assert.is(r.steps.find((x) => x.id === '02-service-health')!.reason, 'failing: redis', 'serverup names redis even though the service page login fails');
    const host = r.steps.find((x) => x.id === 'L2-internal-ports')!;
    assert.is(host.status, 'pass', host.reason);
    writeVerifyReports(r, dir);
    const page = await checkHtmlInChromium(join(dir, 'report.html'), { waitForSelector: '#verdict' });
    writeFileSync(join(dir, 'screenshot.png'), page.screenshot);
    assert.equal(page.consoleErrors, []);
    assert.equal(page.failedRequests, [], 'the report must not load anything from outside');
    assert.match(page.title, /ccready verify: NOT READY/);
    assert.match(page.text, /NOT READY/);
    assert.match(page.text, /Most likely at fault/);
    assert.match(page.text, /redis/);
    for (const st of r.steps) assert.ok(page.text.includes(st.id), `${st.id} not shown`);
    assert.ok(page.svgCount >= 1, 'duration chart missing');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.match(md, /^# ccready verify: NOT READY/);
    // Redis reported down by the health step: the login (which needs it) is not run, and says why.
    assert.match(md, /\| 03-web-login Web login \(CSRF \+ session\) and static files \| SKIP \|.*\| not run: redis reported failing by 02-service-health/);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.is((junit.match(/<testcase /g) ?? []).length, 17);
    assert.is(Number(/<testsuites[^>]* failures="(\d+)"/.exec(junit)![1]), r.steps.filter((x) => (x.status === 'fail' || x.status === 'skip') && x.required).length);
  } finally {
    await s.stop();
  }
});

test.run();
