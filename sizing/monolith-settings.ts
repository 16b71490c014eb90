// The commcare-cloud settings that hold each service's RAM on a monolith, with the value its
// quick monolith install (or, where that sets nothing, the role's default) gives them: what the
// memory split's model figure must be set into. Facts read from dimagi/commcare-cloud at commit
// 9988e63a5fe0 (2026-08); the file of every value is named in `source`.
import type { ServerSpec } from '../common/server-spec.ts';

export interface MonolithSetting {
  /** commcare-cloud's variable(s), as an operator edits them. */
  setting: string;
  /** The monolith's value, in commcare-cloud's words (e.g. `2048m`, `0 + 8 vCPUs × 1 = 8 workers`). */
  value: string;
  /** The RAM that value pins or caps, GB; null when it counts processes or sets no RAM. */
  ramGb: number | null;
  /** commcare-cloud files the value comes from. */
  source: string[];
}

const SAMPLE = 'quick_monolith_install/sample-environment';
const ROLES = 'src/commcare_cloud/ansible/roles';
const DEFAULTS = 'src/commcare_cloud/environmental-defaults/app-processes.yml';

/** The services of a config are named freely: match the usual names (Dimagi's configs, the example). */
const RULES: { match: RegExp; settings: (s: ServerSpec) => MonolithSetting }[] = [
  {
    match: /^(es|elastic)/i,
    settings: (s) => ({ setting: 'elasticsearch_memory', value: '2048m heap', ramGb: 2, source: [`${SAMPLE}/public.yml.j2`, `${ROLES}/elasticsearch/defaults/main.yml (without it: min(RAM/2, 24576m) = ${Math.min(s.ram_gb / 2, 24)} GB)`] }),
  },
  {
    match: /^(pg|postgres)/i,
    settings: () => ({ setting: 'postgresql_shared_buffers, work_mem', value: '1GB + 100 conn × 8MB', ramGb: 1 + (100 * 8) / 1024, source: [`${SAMPLE}/postgresql.yml`, `${ROLES}/postgresql_base/defaults/main.yml (postgresql_work_mem)`] }),
  },
  {
    match: /formplayer/i,
    settings: () => ({ setting: 'formplayer_memory', value: '1024m heap', ramGb: 1, source: [`${SAMPLE}/app-processes.yml.j2`, `${DEFAULTS} (3584m when an environment sets none)`] }),
  },
  {
    match: /celery/i,
    settings: () => ({ setting: 'celery_processes', value: '1 worker (all queues), concurrency 1', ramGb: null, source: [`${SAMPLE}/app-processes.yml.j2`] }),
  },
  {
    match: /pillow/i,
    settings: () => ({ setting: 'pillows', value: '14 pillows × 1 process', ramGb: null, source: [`${SAMPLE}/app-processes.yml.j2`] }),
  },
  {
    match: /^(django|web|gunicorn)/i,
    settings: (s) => ({ setting: 'gunicorn_workers_factor', value: `${s.cores} workers (1 per vCPU)`, ramGb: null, source: [DEFAULTS, `${ROLES}/commcarehq/tasks/webworkers.yml`] }),
  },
  {
    match: /redis/i,
    settings: (s) => ({ setting: 'redis_maxmemory', value: `RAM/2 = ${s.ram_gb / 2} GB cap`, ramGb: s.ram_gb / 2, source: ['src/commcare_cloud/ansible/group_vars/redis.yml'] }),
  },
  {
    match: /kafka|zookeeper/i,
    settings: () => ({ setting: '(none: KAFKA_HEAP_OPTS)', value: '1G heap (Kafka default)', ramGb: 1, source: [`${ROLES}/kafka/defaults/main.yml (no heap variable)`] }),
  },
  {
    match: /riak|blob|minio/i,
    settings: () => ({ setting: 'blobdb_s3', value: 'False: files on disk, no process', ramGb: 0, source: [`${SAMPLE}/public.yml.j2`] }),
  },
  {
    match: /couch/i,
    settings: () => ({ setting: '(none)', value: 'Erlang VM, grows with use', ramGb: null, source: [`${ROLES}/couchdb2/defaults/main.yml (no memory variable)`] }),
  },
];

/** The setting behind one service of the memory split; null for a service commcare-cloud sets no RAM for. */
export function monolithSetting(service: string, server: ServerSpec): MonolithSetting | null {
  let rule = ruleOf.get(service);
  if (rule === undefined) ruleOf.set(service, (rule = RULES.find((r) => r.match.test(service)) ?? null));
  return rule ? rule.settings(server) : null;
}

// each service's rule, matched once: the memory split asks twice per service for every set's
// verdict (its rows and its sources), and ten case-insensitive patterns per ask, run cold, were
// most of the split's text (~4M instructions of an 8-set run)
const ruleOf = new Map<string, (typeof RULES)[number] | null>();
