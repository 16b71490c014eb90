import type { CommandModule } from 'yargs';
import { writeFileSync, chmodSync, renameSync } from 'node:fs';
import { UsageError } from '../../common/errors.ts';
import type { SimOptions } from '../../fixtures/hq-sim/index.ts';

interface SimArgs {
  port: number;
  host: string;
  users: number;
  'cases-per-user': number;
  fault: string[];
  'drop-forms': number;
  'async-restore': boolean;
  'async-restore-cases'?: number;
  'target-env'?: string;
  domains: string;
  seed: number;
  'pillow-delay-ms': number;
  workers?: number;
  'queue-size'?: number;
  'service-ms'?: number;
  'queue-timeout-ms'?: number;
  'data-dir'?: string;
  'version-label'?: string;
  'lose-after'?: string;
  'corrupt-blobs'?: number;
  'drop-users': boolean;
  history?: string;
  'history-gap': string[];
  throttle: boolean;
  'web-2fa': boolean;
}

interface SnapshotArgs {
  dir: string;
  to?: string;
  'restore-from'?: string;
}

/** `ccready sim snapshot DIR --to FILE | --restore-from FILE`: a backup of a data directory, and its restore. */
const snapshotCommand: CommandModule<object, SnapshotArgs> = {
  command: 'snapshot <dir>',
  describe: 'Back up a --data-dir of hq-sim to one file (--to), or restore one (--restore-from)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'The --data-dir of hq-sim' })
      .option('to', { type: 'string', describe: 'Write the snapshot here (safe while hq-sim runs)' })
      .option('restore-from', { type: 'string', describe: 'Replace the directory with this snapshot (hq-sim must be stopped)' })
      .example('ccready sim snapshot sim-data --to backup.snap', 'back up')
      .example('ccready sim snapshot sim-data --restore-from backup.snap', 'restore (then start hq-sim on sim-data again)') as never,
  handler: async (argv) => {
    const { takeSnapshot, restoreSnapshot, StoreError } = await import('../../fixtures/hq-sim/index.ts');
    if (!argv.to === !argv['restore-from']) throw new UsageError('sim snapshot: give exactly one of --to FILE or --restore-from FILE');
    try {
      if (argv.to) {
        const h = takeSnapshot(argv.dir, argv.to);
        process.stdout.write(`snapshot of ${argv.dir} written to ${argv.to}: ${h.entries} changes, taken ${h.takenAt}\n`);
      } else {
        const h = restoreSnapshot(argv['restore-from']!, argv.dir);
        process.stdout.write(`${argv.dir} restored from ${argv['restore-from']} (taken ${h.takenAt}, ${h.entries} changes)\n`);
      }
    } catch (e) {
      if (e instanceof StoreError) throw new UsageError(`sim snapshot: ${e.message}`);
      const err = e as NodeJS.ErrnoException;
      if (err.code) throw new UsageError(`sim snapshot: ${err.path ?? argv.dir}: ${err.code}`);
      throw e;
    }
  },
};

/** The flag that sets each option of startSim, so that a bad option is reported in the user's words. */
const FLAG_OF: Partial<Record<keyof SimOptions, string>> = {
  port: 'port',
  host: 'host',
  users: 'users',
  casesPerUser: 'cases-per-user',
  faults: 'fault',
  dropForms: 'drop-forms',
  asyncRestore: 'async-restore',
  asyncRestoreCaseThreshold: 'async-restore-cases',
  domains: 'domains',
  seed: 'seed',
  pillowDelayMs: 'pillow-delay-ms',
  workers: 'workers',
  queueSize: 'queue-size',
  serviceMs: 'service-ms',
  queueTimeoutMs: 'queue-timeout-ms',
  dataDir: 'data-dir',
  versionLabel: 'version-label',
  loseAfter: 'lose-after',
  corruptBlobs: 'corrupt-blobs',
  dropUsers: 'drop-users',
  history: 'history',
  historyGap: 'history-gap',
  throttle: 'throttle',
  web2fa: 'web-2fa',
};

export const simCommand: CommandModule<object, SimArgs> = {
  command: 'sim',
  describe: 'Run hq-sim, a test double that stands in for CommCare HQ (it is not HQ) for rehearsals',
  builder: (y) =>
    y
      .usage(
        'ccready sim [options]\n\nStarts hq-sim in the foreground: a TEST DOUBLE that stands in for CommCare HQ; it is not HQ. ' +
          'It speaks the HQ protocol (receiver, restore, APIs, serverup.txt) well enough to rehearse a load test or a gate, ' +
          'and can inject faults. It prints one line with its URL once it accepts requests; Ctrl-C stops it.',
      )
      .example('ccready sim --port 0 --target-env sim.env', 'any free port; URL and credentials (CCHQ_*) written to sim.env, mode 0600')
      .example('ccready sim --fault elasticsearch=down --drop-forms 0.05', 'rehearse a broken search index and silent form loss')
      .example('ccready sim --users 200 --cases-per-user 500 --async-restore', 'large restores answered 202 + Retry-After')
      .option('port', { type: 'number', default: 8000, describe: 'Port on 127.0.0.1 (0 = any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind (keep it loopback)', hidden: true })
      .option('users', { type: 'number', default: 5, describe: 'Mobile workers per project space' })
      .option('cases-per-user', { type: 'number', default: 10, describe: 'Seeded open cases per mobile worker' })
      .option('fault', { type: 'string', array: true, default: [] as string[], describe: 'SERVICE=down|slow[:MS]|failing[:RATE] (postgres, couch, redis, elasticsearch, kafka, celery, rabbitmq, formplayer, blobdb); repeatable' })
      .option('drop-forms', { type: 'number', default: 0, describe: 'Fraction 0..1 of forms answered 201 but silently not stored' })
      .option('async-restore', { type: 'boolean', default: false, describe: 'Turn on asynchronous restore (202 + Retry-After) for every project space' })
      .option('async-restore-cases', { type: 'number', describe: 'Restores of users owning more cases than this are asynchronous' })
      // --env-file stays as the same option; --target-env first because under npx Node takes a
      // `--env-file FILE` pair for itself and dies when FILE does not exist yet (cli/flags.ts).
      .option('target-env', { type: 'string', alias: 'env-file', describe: 'Write CCHQ_URL, LOCUST_HOST, CCHQ_DOMAIN, CCHQ_APP_ID, CCHQ_USERNAME/PASSWORD, CCHQ_WEB_USERNAME/PASSWORD, CCHQ_SIM_TOKEN, CCHQ_ODATA_CONFIG_ID, CCHQ_EXPORT_ID, CCHQ_API_KEY here once listening (mode 0600); --env-file is the same option' })
      .option('domains', { type: 'string', default: 'demo', describe: 'Comma-separated project space names' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the generated data' })
      .option('pillow-delay-ms', { type: 'number', default: 200, describe: 'Lag before forms and cases appear in the Elasticsearch-backed listings' })
      .option('workers', { type: 'number', describe: 'Capacity model: Django workers (default: unlimited)' })
      .option('queue-size', { type: 'number', describe: 'Capacity model: requests queued before nginx answers 502 (default 4 × workers)' })
      .option('service-ms', { type: 'number', describe: 'Capacity model: simulated work per request at no load, ms (default 20)' })
      .option('throttle', { type: 'boolean', default: false, describe: "HQ's API rate limit per project space (429): 1/s, 10/min, 30/h, 50/day, 100/week plus about 0.22/s, 3/min, 130/h, 1000/day per active mobile worker" })
      .option('web-2fa', { type: 'boolean', default: false, describe: 'The web user needs two-factor authentication: its password reaches no API (401 asking for an OTP) and login stops at the token step; its API key still works' })
      .option('queue-timeout-ms', { type: 'number', describe: 'Capacity model: a request queued longer than this gets nginx\'s 504, ms (default 30000)' })
      .option('data-dir', { type: 'string', describe: 'Keep forms, attachments, cases, users and sync logs here; a restart on it keeps them (and the credentials)' })
      .option('version-label', { type: 'string', describe: 'Version the server reports (/hq/admin/system/), for upgrade rehearsals (default hq-sim)' })
      .option('lose-after', { type: 'string', describe: 'Drill fault: start from this snapshot of --data-dir, losing what came after it' })
      .option('corrupt-blobs', { type: 'number', describe: 'Drill fault: fraction 0..1 of attachment blobs that come back damaged from --data-dir' })
      .option('drop-users', { type: 'boolean', default: false, describe: 'Drill fault: users created after seeding do not come back from --data-dir' })
      .option('history', { type: 'string', describe: 'Seed this many months of history (e.g. 24m): forms, cases and workers joining over time, ending last month' })
      .option('history-gap', { type: 'string', array: true, default: [] as string[], describe: 'YYYY-MM: leave this month\'s forms out of the history (a migration that lost them); repeatable' })
      .example('ccready sim --history 24m --history-gap 2025-03 --port 0', 'a project with two years of data, one month lost, for `verify migration`')
      .example('ccready sim --data-dir sim-data --version-label 2026.11.1', 'persistent stand-in for a backup drill or an upgrade rehearsal')
      .command(snapshotCommand as unknown as CommandModule) as never,
  handler: async (argv) => {
    const { startSim, parseFaultArg, SimOptionError } = await import('../../fixtures/hq-sim/index.ts');
    const faults: Record<string, unknown> = {};
    for (const f of argv.fault) {
      try {
        const [service, spec] = parseFaultArg(f);
        faults[service] = spec;
      } catch (e) {
        throw new UsageError(`--fault: ${(e as Error).message}`);
      }
    }
    // Test traffic stays on this machine: only loopback addresses may be bound.
    if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(argv.host)) throw new UsageError(`--host: expected a loopback address (127.0.0.1, ::1), got "${argv.host}"`);
    const { parseHistoryMonths } = await import('../../fixtures/hq-sim/index.ts');
    const history = argv.history === undefined ? undefined : parseHistoryMonths(argv.history);
    if (history === null) throw new UsageError(`--history: expected a number of months from 1 to 120 (e.g. 24m), got "${argv.history}"`);
    const domains = argv.domains.split(',').map((d) => d.trim()).filter(Boolean);
    // Signal handlers go in before the server starts, so a stop request is never lost in start-up.
    let stopRequested = false;
    let wake: () => void = () => {};
    const onSignal = (): void => {
      stopRequested = true;
      wake();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let sim;
    try {
      sim = await startSim({
        port: argv.port,
        host: argv.host,
        users: argv.users,
        casesPerUser: argv['cases-per-user'],
        faults: faults as never,
        dropForms: argv['drop-forms'],
        asyncRestore: argv['async-restore'],
        asyncRestoreCaseThreshold: argv['async-restore-cases'],
        domains,
        seed: argv.seed,
        pillowDelayMs: argv['pillow-delay-ms'],
        workers: argv.workers,
        queueSize: argv['queue-size'],
        serviceMs: argv['service-ms'],
        queueTimeoutMs: argv['queue-timeout-ms'],
        dataDir: argv['data-dir'],
        versionLabel: argv['version-label'],
        loseAfter: argv['lose-after'],
        corruptBlobs: argv['corrupt-blobs'],
        dropUsers: argv['drop-users'] || undefined,
        history,
        historyGap: argv['history-gap'].length ? argv['history-gap'] : undefined,
        throttle: argv.throttle,
        web2fa: argv['web-2fa'],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new UsageError(`--port: ${argv.port} is already in use on ${argv.host}; pass another --port (or --port 0 for any free port)`);
      if (err.code === 'EACCES') throw new UsageError(`--port: not allowed to listen on ${argv.port}; pass a port above 1023`);
      if (e instanceof SimOptionError) throw new UsageError(`--${FLAG_OF[e.option] ?? e.option}: ${e.detail}`);
      throw e;
    }
    if (argv['target-env']) {
      const path = argv['target-env'];
      const text = `# Written by ccready sim: a test double standing in for CommCare HQ (not HQ).\n${Object.entries(sim.env())
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`;
      try {
        // whole or not at all: a rehearsal script waits for this file to appear, then reads it
        const partial = `${path}.partial-${process.pid}`;
        writeFileSync(partial, text, { mode: 0o600 });
        chmodSync(partial, 0o600);
        renameSync(partial, path);
      } catch (e) {
        await sim.stop();
        throw new UsageError(`--target-env: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    }
    const restored = sim.server.restored;
    const kept = restored ? `, ${restored.forms} forms back from ${argv['data-dir']}` : '';
    process.stdout.write(`hq-sim (a test double standing in for CommCare HQ, not HQ) listening on ${sim.url} — project space ${sim.domain}${argv['target-env'] ? `, credentials in ${argv['target-env']}` : ''}${kept}\n`);
    if (!stopRequested) await new Promise<void>((resolve) => (wake = resolve));
    await sim.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
};
