import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHtmlInChromium, chromiumAvailable, CHROMIUM_PATH } from '../browser.ts';

test('the browser check sees console errors, blocked requests and SVG', async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM_PATH} (npm test installs it with apt-get)`);
  const dir = mkdtempSync(join(tmpdir(), 'ccready-browser-'));
  const page = join(dir, 'p.html');
  writeFileSync(
    page,
    `<!doctype html><title>t</title><svg width="10" height="10"><rect width="5" height="5"/></svg>
     <img src="http://127.0.0.1:9/x.png"><script>console.error('boom')</script><p>hello</p>`,
  );
  const r = await checkHtmlInChromium(page);
  assert.is(r.title, 't');
  assert.is(r.svgCount, 1);
  assert.ok(r.consoleErrors.some((e) => e.includes('boom')));
  assert.ok(r.failedRequests.some((u) => u.startsWith('http://127.0.0.1:9')));
  assert.ok(r.screenshot.length > 1000);
  assert.match(r.text, /hello/);
});

test.run();
