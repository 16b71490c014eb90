import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { junitXml } from '../junit.ts';

test('junitXml counts failures and skips and escapes text', () => {
  const xml = junitXml([
    {
      name: 'verify',
      cases: [
        { name: '01 reachability', status: 'pass', seconds: 0.5 },
        { name: '02 health', status: 'fail', message: 'serverup <500>', details: 'elasticsearch & kafka' },
        { name: '11 sms', status: 'skip', message: 'no gateway configured' },
        { name: '03 tls', status: 'warn', message: 'expires in 10 days' },
      ],
    },
  ]);
  assert.match(xml, /<testsuites tests="4" failures="1" errors="0" skipped="1">/);
  assert.match(xml, /<failure message="serverup &lt;500&gt;">elasticsearch &amp; kafka<\/failure>/);
  assert.match(xml, /<skipped message="no gateway configured"\/>/);
  assert.match(xml, /WARNING: expires in 10 days/);
});

test.run();
