// The integrity audit pages HQ's Form API; HQ throttles it (429, tastypie sends no Retry-After).
// The audit must wait the throttle out rather than report "Form API unusable".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { startSim } from '../../fixtures/hq-sim/index.ts';
import { listFormIds } from '../audit.ts';

test('listFormIds waits out 429s and still lists every form, with the API key', async () => {
  const sim = await startSim({ users: 1, casesPerUser: 0, pillowDelayMs: 0, throttle: { second: 1 } });
  try {
    const since = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      ids.push(id);
      const xml = `<?xml version="1.0"?><data xmlns="http://example.org/audit"><n1:meta xmlns:n1="http://openrosa.org/jr/xforms"><n1:instanceID>${id}</n1:instanceID></n1:meta></data>`;
      const r = await fetch(`${sim.url}/a/demo/receiver/secure/`, { method: 'POST', body: xml, headers: { authorization: `Basic ${Buffer.from(`${sim.mobile.username}:${sim.mobile.password}`).toString('base64')}` } });
      assert.is(r.status, 201);
    }
    // Use up this second's allowance, so the audit's first page meets a 429.
    await fetch(`${sim.url}/a/demo/api/form/v1/?limit=1`, { headers: { authorization: `ApiKey ${sim.web.username}:${sim.web.apiKey}` } });
    const target = { url: sim.url, domain: 'demo', web: { username: sim.web.username, password: 'not-the-password' }, apiKey: sim.web.apiKey };
    const listed = await listFormIds(target, since);
    for (const id of ids) assert.ok(listed.has(id), id);
    assert.ok(sim.stats().byStatus['429'] >= 1, 'the stand-in did throttle');
  } finally {
    await sim.stop();
  }
});

test.run();
