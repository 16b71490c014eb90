// --local host checks: the server-spec parser, the pure judgement of host facts, and a real
// gathering of this machine's facts (ports probed only on loopback here).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { judgeHost, gatherHostFacts, type HostFacts } from '../local.ts';
import { DEFAULT_SERVER, parseServerSpec } from '../../common/server-spec.ts';

const box: HostFacts = { cores: 8, ramGb: 33.5, diskGb: 2000, freeGb: 1800, dataPath: '/', rotational: false, blockDevice: '/dev/nvme0n1', exposedPorts: [], probedAddresses: ['10.0.0.5'], ntpSynchronized: true, clockSkewMs: 300, containers: [{ name: 'commcare', state: 'running', health: 'healthy' }] };
const status = (f: HostFacts, o = {}) => Object.fromEntries(judgeHost(f, o).map((j) => [j.id, j.status]));

test('server spec: the one grammar of `size --server` (8c/32GB/2TB/ssd, 8vcpu, bare numbers); bad text is a usage error naming --server', () => {
  const s = parseServerSpec('8c/32GB/2TB/ssd');
  assert.equal([s.cores, s.ram_gb, s.disk_tb, s.disk_type], [8, 32, 2, 'ssd']);
  const v = parseServerSpec(' 16vcpu / 64gb / 500GB / hdd');
  assert.equal([v.cores, v.ram_gb, v.disk_tb, v.disk_type], [16, 64, 0.5, 'hdd']);
  assert.equal([DEFAULT_SERVER.cores, DEFAULT_SERVER.ram_gb, DEFAULT_SERVER.disk_tb, DEFAULT_SERVER.disk_type], [8, 32, 2, 'ssd']);
  assert.throws(() => parseServerSpec('8 cores, 32 GB'), /--server: expected CORESc\/RAM\/DISK/);
  assert.throws(() => parseServerSpec('0c/32GB/2TB'), /at least 1/);
});

test('L1 judges the disk type: an SSD spec fails on a rotational disk, an HDD spec accepts it', () => {
  const hdd: HostFacts = { ...box, rotational: true };
  const ssdSpec = Object.fromEntries(judgeHost(hdd, { server: parseServerSpec('8c/32GB/2TB/ssd') }).map((x) => [x.id, x]));
  assert.is(ssdSpec['L1-hardware'].status, 'fail');
  assert.match(ssdSpec['L1-hardware'].reason!, /rotational \(HDD\); the server spec asks for an SSD/);
  assert.match(ssdSpec['L1-hardware'].title, /8c\/32GB\/2TB\/ssd/);
  assert.is(status(hdd, { server: parseServerSpec('8c/32GB/2TB/hdd') })['L1-hardware'], 'pass');
  // unknown disk type: a warning only when the spec asks for an SSD
  assert.is(status({ ...box, rotational: undefined })['L1-hardware'], 'warn');
  assert.is(status({ ...box, rotational: undefined }, { server: parseServerSpec('8c/32GB/2TB/hdd') })['L1-hardware'], 'pass');
});

test('a box that meets the seed spec passes every host check', () => {
  assert.equal(status(box), { 'L1-hardware': 'pass', 'L2-internal-ports': 'pass', 'L3-clock': 'pass', 'L4-containers': 'pass' });
});

test('too little hardware, an HDD, low free space, exposed ports, skewed clock, unhealthy container → failures that say why', () => {
  const bad: HostFacts = { ...box, cores: 4, ramGb: 16, diskGb: 1000, freeGb: 50, rotational: true, exposedPorts: [{ port: 6379, service: 'redis', address: '10.0.0.5' }], clockSkewMs: 90_000, containers: [{ name: 'es', state: 'running', health: 'unhealthy' }, { name: 'pg', state: 'exited' }] };
  const j = Object.fromEntries(judgeHost(bad).map((x) => [x.id, x]));
  assert.is(j['L1-hardware'].status, 'fail');
  assert.match(j['L1-hardware'].reason!, /4 cores < 8; 16\.0 GB RAM < 32; 1000 GB disk < 2000; data disk is rotational \(HDD\).*only 50 GB free/);
  assert.is(j['L2-internal-ports'].status, 'fail');
  assert.match(j['L2-internal-ports'].reason!, /redis 10\.0\.0\.5:6379/);
  assert.is(j['L3-clock'].status, 'fail');
  assert.match(j['L3-clock'].reason!, /90\.0 s/);
  assert.is(j['L4-containers'].status, 'fail');
  assert.match(j['L4-containers'].reason!, /es \(unhealthy\), pg \(exited\)/);
  // A smaller spec from the sizing verdict changes the hardware judgement, nothing else.
  assert.is(status({ ...bad, rotational: false, freeGb: 900 }, { server: parseServerSpec('4c/16GB/1TB') })['L1-hardware'], 'pass');
});

test('unknown disk type and NTP state are warnings; no Docker socket is a skip', () => {
  const s = status({ ...box, rotational: undefined, ntpSynchronized: undefined, clockSkewMs: undefined, containers: undefined });
  assert.equal(s, { 'L1-hardware': 'warn', 'L2-internal-ports': 'pass', 'L3-clock': 'warn', 'L4-containers': 'skip' });
});

test('gathering this host: real cores, RAM and disk; a listening internal port is found', async () => {
  const srv = createServer(() => undefined);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  try {
    const f = await gatherHostFacts({ addresses: ['127.0.0.1'], ports: [{ port, service: 'redis' }, { port: 1, service: 'nothing' }], dockerSocket: '/nonexistent/docker.sock' });
    assert.ok(f.cores >= 1 && f.ramGb > 0.1 && f.diskGb > 0.1 && f.freeGb <= f.diskGb);
    assert.equal(f.exposedPorts, [{ port, service: 'redis', address: '127.0.0.1' }]);
    assert.is(f.containers, undefined);
    assert.is(f.dockerError, undefined);
  } finally {
    srv.close();
  }
});

test.run();
