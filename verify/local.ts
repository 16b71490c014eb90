// Host checks for `verify --local` (run on the box itself): hardware against the server spec (the one
// `--server` grammar of common/server-spec.ts, disk type included), internal ports not reachable
// from outside, clock in sync, container health.
// Facts are gathered by `gatherHostFacts` (I/O); `judgeHost` is pure and unit-tested.
import { cpus, totalmem, networkInterfaces } from 'node:os';
import { statfs, readFile, realpath, access } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { Socket } from 'node:net';
import { Agent, request } from 'undici';
import { DEFAULT_SERVER, shortServerSpec, type ServerSpec } from '../common/server-spec.ts';

/** Internal-only ports of a monolith (commcare-ports.rst). */
export const INTERNAL_PORTS: { port: number; service: string }[] = [
  { port: 6379, service: 'redis' },
  { port: 5432, service: 'postgres' },
  { port: 6432, service: 'pgbouncer' },
  { port: 9200, service: 'elasticsearch' },
  { port: 9300, service: 'elasticsearch (transport)' },
  { port: 5984, service: 'couch' },
  { port: 4369, service: 'couch (epmd)' },
  { port: 9092, service: 'kafka' },
  { port: 2181, service: 'zookeeper' },
  { port: 8181, service: 'formplayer' },
  { port: 9010, service: 'django' },
];

export interface LocalOptions {
  server?: ServerSpec;
  /** Path on the data disk (free space and SSD are measured there). */
  dataPath?: string;
  /** Minimum free space as a share of the disk. */
  minFreeShare?: number;
  dockerSocket?: string;
  /** Maximum clock skew tolerated against the server's Date header. */
  maxSkewMs?: number;
  /** Addresses to probe the internal ports on; default this host's non-loopback IPv4 addresses. */
  addresses?: string[];
}

export interface HostFacts {
  cores: number;
  ramGb: number;
  diskGb: number;
  freeGb: number;
  dataPath: string;
  /** true = rotational (HDD), false = SSD, undefined = unknown. */
  rotational?: boolean;
  blockDevice?: string;
  /** Internal ports that accept connections on a non-loopback address of this host. */
  exposedPorts: { port: number; service: string; address: string }[];
  probedAddresses: string[];
  ntpSynchronized?: boolean;
  clockSkewMs?: number;
  containers?: { name: string; state: string; health?: string }[];
  dockerError?: string;
}

export interface HostJudgement {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  reason?: string;
  evidence: string[];
}

export function judgeHost(f: HostFacts, opts: LocalOptions = {}): HostJudgement[] {
  const spec = opts.server ?? DEFAULT_SERVER;
  const diskGb = spec.disk_tb * 1000;
  const out: HostJudgement[] = [];
  // Hardware: RAM is reported a little under the nominal size (kernel reservations), so allow 5 %.
  const hw: string[] = [];
  const hwEvidence = [
    `server spec ${shortServerSpec(spec)}${spec.source ? ` [${spec.source}]` : ''}`,
    `cores ${f.cores} (need ${spec.cores})`,
    `RAM ${f.ramGb.toFixed(1)} GB (need ${spec.ram_gb})`,
    `disk ${f.diskGb.toFixed(0)} GB at ${f.dataPath} (need ${diskGb})`,
    `free ${f.freeGb.toFixed(0)} GB (${((f.freeGb / Math.max(1, f.diskGb)) * 100).toFixed(0)} %)`,
    `storage ${f.rotational === undefined ? 'type unknown' : f.rotational ? 'rotational (HDD)' : 'SSD'}${f.blockDevice ? ` (${f.blockDevice})` : ''}`,
  ];
  if (f.cores < spec.cores) hw.push(`${f.cores} cores < ${spec.cores}`);
  if (f.ramGb < spec.ram_gb * 0.95) hw.push(`${f.ramGb.toFixed(1)} GB RAM < ${spec.ram_gb}`);
  if (f.diskGb < diskGb * 0.95) hw.push(`${f.diskGb.toFixed(0)} GB disk < ${diskGb}`);
  // the spec names the disk type: an SSD spec fails on a rotational disk, an HDD spec accepts either
  if (f.rotational === true && spec.disk_type === 'ssd') hw.push('data disk is rotational (HDD); the server spec asks for an SSD');
  const minFree = opts.minFreeShare ?? 0.2;
  const warnings: string[] = [];
  if (f.freeGb < f.diskGb * minFree) hw.push(`only ${f.freeGb.toFixed(0)} GB free (< ${minFree * 100} % of the disk)`);
  if (f.rotational === undefined && spec.disk_type === 'ssd') warnings.push('could not tell SSD from HDD');
  out.push({
    id: 'L1-hardware',
    title: `Host hardware vs the server spec (${shortServerSpec(spec)})`,
    status: hw.length ? 'fail' : warnings.length ? 'warn' : 'pass',
    reason: hw.length ? hw.join('; ') : warnings.join('; ') || undefined,
    evidence: hwEvidence,
  });
  out.push({
    id: 'L2-internal-ports',
    title: 'Internal ports not reachable from outside',
    status: f.exposedPorts.length ? 'fail' : 'pass',
    reason: f.exposedPorts.length ? `listening on a public address: ${f.exposedPorts.map((p) => `${p.service} ${p.address}:${p.port}`).join(', ')}` : undefined,
    evidence: [
      `probed the internal ports (${INTERNAL_PORTS.map((p) => p.port).join(', ')}) on ${f.probedAddresses.length ? f.probedAddresses.join(', ') : 'no non-loopback address'}`,
      ...f.exposedPorts.map((p) => `${p.address}:${p.port} (${p.service}) accepts connections`),
    ],
  });
  const maxSkew = opts.maxSkewMs ?? 5000;
  const clockEvidence = [
    `NTP synchronized: ${f.ntpSynchronized === undefined ? 'unknown' : f.ntpSynchronized ? 'yes' : 'no'}`,
    f.clockSkewMs === undefined ? 'server Date header not compared' : `skew vs the server's Date header: ${(f.clockSkewMs / 1000).toFixed(1)} s`,
  ];
  let clock: HostJudgement['status'] = 'pass';
  let clockReason: string | undefined;
  if (f.clockSkewMs !== undefined && Math.abs(f.clockSkewMs) > maxSkew) {
    clock = 'fail';
    clockReason = `clock differs from the server by ${(f.clockSkewMs / 1000).toFixed(1)} s (> ${maxSkew / 1000} s)`;
  } else if (f.ntpSynchronized === false) {
    clock = 'warn';
    clockReason = 'NTP reports the clock as not synchronized';
  } else if (f.ntpSynchronized === undefined && f.clockSkewMs === undefined) {
    clock = 'warn';
    clockReason = 'could not tell whether the clock is in sync';
  }
  out.push({ id: 'L3-clock', title: 'Clock in sync', status: clock, reason: clockReason, evidence: clockEvidence });
  if (f.containers === undefined) {
    out.push({ id: 'L4-containers', title: 'Container health', status: 'skip', reason: f.dockerError ?? 'no Docker socket on this host', evidence: [] });
  } else {
    const bad = f.containers.filter((c) => c.state !== 'running' || c.health === 'unhealthy');
    out.push({
      id: 'L4-containers',
      title: 'Container health',
      status: bad.length ? 'fail' : 'pass',
      reason: bad.length ? `not healthy: ${bad.map((c) => `${c.name} (${c.health ?? c.state})`).join(', ')}` : undefined,
      evidence: f.containers.map((c) => `${c.name}: ${c.state}${c.health ? `, ${c.health}` : ''}`),
    });
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 3000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

async function rotationalOf(path: string): Promise<{ rotational?: boolean; device?: string }> {
  // Find the block device holding `path` via /proc/self/mountinfo, then read its queue/rotational flag.
  try {
    const real = await realpath(path);
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    let best: { mount: string; source: string } | undefined;
    for (const line of info.split('\n')) {
      const parts = line.split(' ');
      const dash = parts.indexOf('-');
      if (dash < 0) continue;
      const mount = parts[4];
      const source = parts[dash + 2];
      if ((real === mount || real.startsWith(mount.endsWith('/') ? mount : mount + '/')) && (!best || mount.length > best.mount.length)) best = { mount, source };
    }
    if (!best || !best.source.startsWith('/dev/')) return { device: best?.source };
    const dev = (await realpath(best.source)).replace('/dev/', '');
    // A partition's flag lives on its parent disk (sda1 → sda, nvme0n1p2 → nvme0n1).
    for (const name of [dev, dev.replace(/p?\d+$/, '')]) {
      try {
        const flag = (await readFile(`/sys/block/${name}/queue/rotational`, 'utf8')).trim();
        return { rotational: flag === '1', device: `/dev/${dev}` };
      } catch {
        /* try the parent */
      }
    }
    return { device: `/dev/${dev}` };
  } catch {
    return {};
  }
}

function probe(address: string, port: number, timeoutMs = 400): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.connect(port, address);
  });
}

/** This host's own non-loopback IPv4 addresses: connecting there shows what the network can reach. */
export function publicAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

export async function gatherHostFacts(opts: LocalOptions & { clockSkewMs?: number; ports?: typeof INTERNAL_PORTS } = {}): Promise<HostFacts> {
  const dataPath = opts.dataPath ?? '/';
  const fs = await statfs(dataPath);
  const disk = await rotationalOf(dataPath);
  const addresses = opts.addresses ?? publicAddresses();
  const exposed: HostFacts['exposedPorts'] = [];
  await Promise.all(
    addresses.flatMap((address) =>
      (opts.ports ?? INTERNAL_PORTS).map(async (p) => {
        if (await probe(address, p.port)) exposed.push({ ...p, address });
      }),
    ),
  );
  const ntp = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  const facts: HostFacts = {
    cores: cpus().length,
    ramGb: totalmem() / 1e9,
    diskGb: (fs.blocks * fs.bsize) / 1e9,
    freeGb: (fs.bavail * fs.bsize) / 1e9,
    dataPath,
    rotational: disk.rotational,
    blockDevice: disk.device,
    exposedPorts: exposed.sort((a, b) => a.port - b.port),
    probedAddresses: addresses,
    ntpSynchronized: ntp === undefined ? undefined : ntp.trim() === 'yes',
    clockSkewMs: opts.clockSkewMs,
  };
  const sock = opts.dockerSocket ?? '/var/run/docker.sock';
  try {
    await access(sock);
    const agent = new Agent({ connect: { socketPath: sock } });
    const res = await request('http://docker/containers/json?all=1', { dispatcher: agent, headersTimeout: 3000, bodyTimeout: 3000 }).finally(() => agent.close());
    const list = (await res.body.json()) as { Names?: string[]; State?: string; Status?: string }[];
    facts.containers = list.map((c) => ({
      name: (c.Names?.[0] ?? '?').replace(/^\//, ''),
      state: c.State ?? 'unknown',
      health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status ?? '')?.[1],
    }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') facts.dockerError = `Docker socket ${sock} not readable: ${(e as Error).message}`;
  }
  return facts;
}
