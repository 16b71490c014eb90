// JUnit XML, the report format every CI system reads. One writer for the load tests and the
// verifier: a suite of test cases, each passed, failed, or skipped with a reason.
import { create } from 'xmlbuilder2';

export interface JUnitCase {
  /** Shown as the test name in CI, e.g. "06 submit forms" or "threshold http_req_failed". */
  name: string;
  classname?: string;
  seconds?: number;
  status: 'pass' | 'fail' | 'skip' | 'warn';
  /** Failure or skip reason; a warning is reported as a pass with this text in system-out. */
  message?: string;
  /** Longer evidence, written into the failure body or system-out. */
  details?: string;
}

export interface JUnitSuite {
  name: string;
  timestamp?: string;
  cases: JUnitCase[];
}

export function junitXml(suites: JUnitSuite[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites');
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const suite of suites) {
    const fails = suite.cases.filter((c) => c.status === 'fail').length;
    const skips = suite.cases.filter((c) => c.status === 'skip').length;
    const time = suite.cases.reduce((a, c) => a + (c.seconds ?? 0), 0);
    tests += suite.cases.length;
    failures += fails;
    skipped += skips;
    const s = root.ele('testsuite', {
      name: suite.name,
      tests: suite.cases.length,
      failures: fails,
      errors: 0,
      skipped: skips,
      time: time.toFixed(3),
      ...(suite.timestamp ? { timestamp: suite.timestamp } : {}),
    });
    for (const c of suite.cases) {
      const tc = s.ele('testcase', { name: c.name, classname: c.classname ?? suite.name, time: (c.seconds ?? 0).toFixed(3) });
      if (c.status === 'fail') tc.ele('failure', { message: c.message ?? 'failed' }).txt(c.details ?? c.message ?? '');
      else if (c.status === 'skip') tc.ele('skipped', { message: c.message ?? 'skipped' });
      const out = [c.status === 'warn' ? `WARNING: ${c.message ?? ''}` : '', c.status !== 'fail' ? c.details ?? '' : '']
        .filter(Boolean)
        .join('\n');
      if (out) tc.ele('system-out').txt(out);
    }
  }
  root.att({ tests, failures, errors: 0, skipped });
  return root.end({ prettyPrint: true }) + '\n';
}
