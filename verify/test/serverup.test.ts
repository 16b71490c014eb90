// The health-page readers and the slow rule: consistently slow relative to the other checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slowChecks, PROBES_PER_SERVICE } from '../serverup.ts';

test('slow relative to its peers: PostgreSQL +0.9 s is flagged; a distant server (every check slower) is not', () => {
  const near = new Map([['postgres', 905], ['couch', 4], ['redis', 2], ['elasticsearch', 6], ['kafka', 3], ['celery', 3], ['rabbitmq', 2], ['formplayer', 5], ['blobdb', 4]]);
  assert.equal(slowChecks(near), ['postgres']);
  const far = new Map([...near].map(([k, v]) => [k, (k === 'postgres' ? 5 : v) + 200]));
  assert.equal(slowChecks(far), []);
  // A service a little slower than the rest (ES doing real work) is not a lead.
  assert.equal(slowChecks(new Map([...near, ['postgres', 3], ['elasticsearch', 60]])), []);
});

test('the probe count catches a 5 % failure rate in ≥ 19 of 20 runs with 99.9 % probability per service, 99 % for all nine', () => {
  const perRun = 1 - 0.95 ** PROBES_PER_SERVICE;
  assert.ok(perRun >= 0.997, `per run ${perRun}`);
  const atLeast19of20 = perRun ** 20 + 20 * perRun ** 19 * (1 - perRun);
  assert.ok(atLeast19of20 >= 0.999, `≥ 19 of 20: ${atLeast19of20}`);
  assert.ok(atLeast19of20 ** 9 >= 0.99, `all nine services: ${atLeast19of20 ** 9}`);
});

test.run();
