#!/usr/bin/env node
// A stand-in for kubectl (tests only; there is no cluster here): the few commands `load k8s
// collect` runs, answered from a folder ($FAKE_KUBE_DIR) the way the real kubectl answers a cluster:
//   objects/<namespace>/<kind>/<name>.json  objects (testrun, configmap, pod)
//   volumes/<claim>/…                       what a PersistentVolumeClaim holds
//   logs/<pod>/<file>                       a container's log files, oldest first by name: like
//                                           kubelet after rotation, `logs` shows only the newest
// Semantics kept from the real one: `cp` works only from a running pod (it execs tar in it) and
// copies the folder's *contents* into the destination; `apply` of a pod whose claims exist makes
// it Running; NotFound errors read as kubectl's. Every command is appended to calls.log.
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.FAKE_KUBE_DIR;
if (!root) {
  process.stderr.write('fake kubectl: FAKE_KUBE_DIR is not set\n');
  process.exit(1);
}
let args = process.argv.slice(2);
appendFileSync(join(root, 'calls.log'), `${args.join(' ')}\n`);
let ns = 'default';
const flags = {};
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-n' || a === '--namespace') ns = args[++i];
  else if (a === '-o' || a === '-l' || a === '-c' || a === '-f') flags[a] = args[++i];
  else if (a.startsWith('--')) {
    const [k, v] = a.slice(2).split('=');
    flags[k] = v ?? true;
  } else rest.push(a);
}
const fail = (msg) => {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
};
const plural = { testrun: 'testruns.k6.io', configmap: 'configmaps', pod: 'pods', pods: 'pods' };
const kindDir = (kind) => join(root, 'objects', ns, kind === 'pods' ? 'pod' : kind);
const read = (kind, name) => {
  const p = join(kindDir(kind), `${name}.json`);
  if (!existsSync(p)) fail(`Error from server (NotFound): ${plural[kind] ?? kind} "${name}" not found`);
  return JSON.parse(readFileSync(p, 'utf8'));
};
const list = (kind) => (existsSync(kindDir(kind)) ? readdirSync(kindDir(kind)).map((f) => JSON.parse(readFileSync(join(kindDir(kind), f), 'utf8'))) : []);
const [verb, ...params] = rest;

if (verb === 'get') {
  const [kind, name] = params;
  if (flags['-o'] !== 'json') fail('fake kubectl: only -o json');
  if (name) process.stdout.write(JSON.stringify(read(kind, name)));
  else {
    const sel = (flags['-l'] ?? '').split(',').filter(Boolean).map((s) => s.split('='));
    const items = list(kind).filter((o) => sel.every(([k, v]) => o.metadata?.labels?.[k] === v));
    process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
} else if (verb === 'apply') {
  if (flags['-f'] !== '-') fail('fake kubectl: only apply -f -');
  const obj = JSON.parse(readFileSync(0, 'utf8'));
  if (obj.kind !== 'Pod') fail(`fake kubectl: cannot apply ${obj.kind}`);
  const claims = (obj.spec.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean);
  obj.status = { phase: claims.every((c) => existsSync(join(root, 'volumes', c))) ? 'Running' : 'Pending' };
  mkdirSync(kindDir('pod'), { recursive: true });
  writeFileSync(join(kindDir('pod'), `${obj.metadata.name}.json`), JSON.stringify(obj));
  process.stdout.write(`pod/${obj.metadata.name} created\n`);
} else if (verb === 'wait') {
  const name = params[0].replace(/^pods?\//, '');
  if (read('pod', name).status.phase !== 'Running') fail(`error: timed out waiting for the condition on pods/${name}`);
  process.stdout.write(`pod/${name} condition met\n`);
} else if (verb === 'cp') {
  const [src, dest] = params;
  const [pod, path] = src.split(':');
  const p = read('pod', pod);
  if (p.status.phase !== 'Running') fail(`error: cannot exec into a container in a completed pod; current phase is ${p.status.phase}`);
  const mount = p.spec.containers[0].volumeMounts.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
  const claim = mount && p.spec.volumes.find((v) => v.name === mount.name)?.persistentVolumeClaim?.claimName;
  const from = claim ? join(root, 'volumes', claim, path.slice(mount.mountPath.length)) : undefined;
  if (!from || !existsSync(from)) fail(`tar: ${path.replace(/^\//, '')}: No such file or directory\ntar: Exiting with failure status due to previous errors\ncommand terminated with exit code 2`);
  process.stderr.write("tar: removing leading '/' from member names\n");
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(from)) cpSync(join(from, f), join(dest, f), { recursive: true });
} else if (verb === 'logs') {
  const pod = params[0];
  read('pod', pod);
  const dir = join(root, 'logs', pod);
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  const text = files.length ? readFileSync(join(dir, files[files.length - 1]), 'utf8') : '';
  const tail = flags.tail !== undefined ? Number(flags.tail) : -1;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  process.stdout.write((tail >= 0 ? lines.slice(-tail) : lines).map((l) => `${l}\n`).join(''));
} else if (verb === 'delete') {
  const [kind, name] = params;
  if (flags['ignore-not-found'] && !existsSync(join(kindDir(kind), `${name}.json`))) process.exit(0);
  read(kind, name);
  rmSync(join(kindDir(kind), `${name}.json`));
  process.stdout.write(`${kind} "${name}" deleted\n`);
} else fail(`error: unknown command "${verb}" for "kubectl" (fake kubectl)`);
