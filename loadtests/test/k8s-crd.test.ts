// The TestRun `load k8s` emits, checked against the k6-operator's own CRD schema (v1.6.0,
// vendored in fixtures/k6-operator/): what the API server would refuse or silently drop fails here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { k6OperatorCrd } from '../../fixtures/reference.ts';
import { crdSchema, schemaErrors, type OpenApiSchema } from '../k8s-schema.ts';
import { k8sManifest, RESULTS_VOLUME, type K8sInput } from '../k8s.ts';
import { prepareRun } from '../prepare.ts';

const schema = crdSchema(k6OperatorCrd(), 'v1alpha1');
const target = { url: 'http://127.0.0.1:8000', domain: 'demo' };

function docs(i: Partial<K8sInput>): Record<string, any>[] {
  const { config } = prepareRun({ runId: '20261130T090000Z-abc123', target, workers: 4, scenario: 'submit' });
  const text = k8sManifest({ name: 'ccready-x', parallelism: 2, script: '// k6', config, secret: 'creds', ...i });
  return text.split(/^---$/m).map((d) => parse(d)).filter(Boolean);
}
const testRunOf = (d: Record<string, any>[]) => d.find((x) => x.kind === 'TestRun')!;

test('every TestRun load k8s emits fits the operator\'s CRD schema', () => {
  const variants: Partial<K8sInput>[] = [
    {},
    { separate: true, namespace: 'load', image: 'registry.example.org/k6:1.8.1' },
    { resultsClaim: 'shared-results', parallelism: 4 },
    { storageClass: 'nfs', resultsSize: '10Gi', parallelism: 1 },
  ];
  for (const v of variants) {
    const tr = testRunOf(docs(v));
    assert.equal(schemaErrors(tr, schema), [], JSON.stringify(v));
    assert.is(tr.apiVersion, 'k6.io/v1alpha1');
  }
});

test('the runners mount the results claim in a folder of their own; the initializer gets no credentials', () => {
  const d = docs({ resultsClaim: undefined });
  const tr = testRunOf(d);
  const pvc = d.find((x) => x.kind === 'PersistentVolumeClaim')!;
  assert.is(pvc.metadata.name, 'ccready-x-results');
  assert.equal(pvc.spec.accessModes, ['ReadWriteMany']);
  assert.equal(tr.spec.runner.volumes, [{ name: RESULTS_VOLUME, persistentVolumeClaim: { claimName: 'ccready-x-results' } }]);
  assert.is(tr.spec.runner.volumeMounts[0].subPathExpr, 'ccready-x/$(CCREADY_RUNNER)');
  assert.is(tr.spec.initializer.envFrom, undefined);
  assert.is(tr.spec.initializer.volumes, undefined);
  const config = JSON.parse(d.find((x) => x.kind === 'ConfigMap')!.data['k6-config.json']);
  assert.is(config.summaryPath, '/results/k6-summary.json');
  assert.is(config.logAcks, true);
  // the console lines (acks) and k6's errors to files of their own on the claim, raw (k6log.ts)
  const env = (name: string) => tr.spec.runner.env.find((e: any) => e.name === name)?.value;
  assert.is(env('K6_CONSOLE_OUTPUT'), '/results/k6-console.log');
  assert.is(env('K6_LOG_OUTPUT'), 'file=/results/k6-errors.log,level=error');
  assert.is(env('K6_LOG_FORMAT'), 'raw');
  assert.is(tr.spec.initializer.env.some((e: any) => /^K6_(LOG|CONSOLE)_/.test(e.name)), false);
  // with an existing claim, none is made
  assert.not.ok(docs({ resultsClaim: 'mine' }).some((x) => x.kind === 'PersistentVolumeClaim'));
});

test('the schema check catches what the API server refuses or drops', () => {
  const tr = () => structuredClone(testRunOf(docs({})));
  const cases: [string, (t: any) => void, RegExp][] = [
    ['misspelt field', (t) => { t.spec.seperate = true; }, /^spec\.seperate: not a field of this schema/],
    ['wrong type', (t) => { t.spec.parallelism = '2'; }, /^spec\.parallelism: expected integer, got string/],
    ['int32 range', (t) => { t.spec.parallelism = 2 ** 31; }, /^spec\.parallelism: 2147483648 is out of int32 range/],
    ['required', (t) => { delete t.spec.script; }, /^spec\.script: required/],
    ['nested required', (t) => { delete t.spec.runner.volumeMounts[0].mountPath; }, /^spec\.runner\.volumeMounts\[0\]\.mountPath: required/],
    ['enum', (t) => { t.spec.cleanup = 'always'; }, /^spec\.cleanup: expected one of post/],
    ['env value type', (t) => { t.spec.runner.env[0].value = true; }, /^spec\.runner\.env\[0\]\.value: expected string, got boolean/],
    ['int-or-string', (t) => { t.spec.runner.resources = { limits: { cpu: 'lots' } }; }, /^spec\.runner\.resources\.limits\.cpu: "lots" does not match/],
  ];
  for (const [what, change, re] of cases) {
    const t = tr();
    change(t);
    const errors = schemaErrors(t, schema);
    assert.ok(errors.some((e) => re.test(e)), `${what}: ${errors.join(' | ') || 'no error'}`);
  }
  // int-or-string takes both forms; additionalProperties maps (resources.limits) take any key
  const ok = tr();
  ok.spec.runner.resources = { limits: { cpu: 2, memory: '1Gi' }, requests: { cpu: '500m' } };
  assert.equal(schemaErrors(ok, schema), []);
});

test('schemaErrors: preserve-unknown-fields and anyOf', () => {
  const s: OpenApiSchema = { type: 'object', properties: { free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, n: { anyOf: [{ type: 'integer' }, { type: 'string' }] } } };
  assert.equal(schemaErrors({ free: { anything: [1] }, n: 'x' }, s), []);
  assert.equal(schemaErrors({ n: true }, s), ['n: matches none of integer | string']);
  assert.throws(() => crdSchema('kind: ConfigMap', 'v1'), /expected a CustomResourceDefinition/);
});

test.run();
