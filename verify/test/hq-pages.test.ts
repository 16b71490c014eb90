// What verify reads from HQ's own pages and sends in HQ's own shapes, checked against the shapes
// HQ's source produces (users/mobile/partials/user_upload_status.html, download_export's POST,
// ODataCaseSerializer rows keyed by column labels).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readUploadStatus } from '../bulk.ts';
import { odataRowCaseId, prepareExportBody } from '../export.ts';
import { answerFor } from '../webapps.ts';

test('the bulk-upload poll fragment: in progress, done with a count, done with problems', () => {
  const running = '<legend>Importing your data. This may take some time...</legend><div class="progress"><div class="progress-bar" style="width: 40%">40%</div></div>';
  assert.equal(readUploadStatus(running), { ready: false, uploaded: undefined, errors: [], percent: 40 });
  const done =
    '<div id="ready_dl-3f2a"><legend>Bulk upload complete.</legend><div class="alert alert-success"><h3>Mobile Worker upload has finished</h3><p>Successfully uploaded 2 mobile workers.</p></div></div>';
  const read = readUploadStatus(done);
  assert.ok(read.ready);
  assert.is(read.uploaded, 2);
  assert.equal(read.errors, []);
  const problems = `${done.replace('2 mobile', '1 mobile')}<div class="alert alert-error"><h3>However, we ran into problems with the following users:</h3><p>ccready-bulk-x-2: Username &#x27;ccready-bulk-x-2&#x27; is already taken</p></div>`;
  const p = readUploadStatus(problems);
  assert.is(p.uploaded, 1);
  assert.equal(p.errors, ["ccready-bulk-x-2: Username 'ccready-bulk-x-2' is already taken"]);
  assert.not.ok(readUploadStatus('{"is_ready": true, "result": {"rows": []}}').ready, 'a JSON answer is not HQ\'s page');
});

test('the export prepare body is form-encoded with a saved export id and a date range, never JSON', () => {
  const body = new URLSearchParams(prepareExportBody('abc123', Date.parse('2026-11-30T12:00:00Z')));
  assert.is(body.get('form_or_case'), 'case');
  assert.is(body.get('sms_export'), 'false');
  assert.equal(JSON.parse(body.get('exports')!), [{ export_id: 'abc123' }]);
  assert.equal(JSON.parse(body.get('form_data')!), { date_range: '2026-11-23 to 2026-12-01', emwf_case_filter: [] });
});

test('OData rows are read by column label: caseid as HQ labels it', () => {
  assert.is(odataRowCaseId({ caseid: 'c1', name: 'Ama' }), 'c1');
  assert.is(odataRowCaseId({ 'Case ID': 'c2' }), 'c2');
  assert.is(odataRowCaseId({ name: 'Ama' }), undefined);
});

test('Formplayer answers by question type', () => {
  assert.is(answerFor({ datatype: 'str' }, 'x'), 'x');
  assert.is(answerFor({ datatype: 'int' }, 'x'), 1);
  assert.is(answerFor({ datatype: 'select', choices: ['a', 'b'] }, 'x'), 1);
  assert.match(String(answerFor({ datatype: 'date' }, 'x')), /^\d{4}-\d{2}-\d{2}$/);
});

test.run();
