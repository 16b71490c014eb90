// `ccready doctor`: what this machine has for ccready — k6 (version and where it came from), Node,
// and the optional tools the tests and benchmarks drive (chromium, wrk).
import { spawnSync } from 'node:child_process';
import type { CommandModule } from 'yargs';
import { RunError } from '../../common/errors.ts';
import { resolveK6, TESTED_K6_VERSION } from '../../loadtests/index.ts';

function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function firstLine(bin: string, args: string[]): string | undefined {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return text ? text.split('\n')[0] : undefined;
}

export const doctorCommand: CommandModule = {
  command: 'doctor',
  describe: 'check the tools ccready uses: k6 (version, source), node, chromium, wrk',
  builder: (y) => y.example('ccready doctor', 'k6 version and where it came from; node, chromium, wrk').option('k6', { type: 'string', describe: 'k6 binary to check (default $K6_BIN, .tools/bin/k6, or PATH)' }),
  handler: (argv) => {
    const lines: string[] = [];
    let ok = true;
    try {
      const k6 = resolveK6({ k6: (argv as { k6?: string }).k6 });
      const tested = k6.version === TESTED_K6_VERSION ? '' : `; ccready is tested with v${TESTED_K6_VERSION} (\`npm run setup\` builds it)`;
      lines.push(`k6        ok       v${k6.version} from ${k6.source} (${k6.path})${tested}`);
    } catch (e) {
      ok = false;
      lines.push(`k6        MISSING  ${(e as Error).message}`);
    }
    const major = Number(process.versions.node.split('.')[0]);
    lines.push(`node      ${major >= 20 ? 'ok     ' : 'TOO OLD'}  v${process.versions.node}${major >= 20 ? '' : ' (ccready needs Node 20 or newer)'}`);
    if (major < 20) ok = false;
    const chromium = which('chromium') ?? which('chromium-browser') ?? which('google-chrome');
    lines.push(chromium ? `chromium  ok       ${firstLine(chromium, ['--version']) ?? ''} (${chromium})` : 'chromium  absent   optional: HTML report checks in tests (Debian: apt-get install chromium)');
    const wrk = which('wrk');
    lines.push(wrk ? `wrk       ok       ${wrk}` : 'wrk       absent   optional: the load benchmark\'s HTTP peer (Debian: apt-get install wrk)');
    const go = which('go') ?? (spawnSync('test', ['-x', '/usr/local/go/bin/go']).status === 0 ? '/usr/local/go/bin/go' : undefined);
    lines.push(go ? `go        ok       ${firstLine(go, ['version']) ?? ''} (builds k6 with \`npm run setup\`)` : 'go        absent   optional: only needed to build k6 from source');
    process.stdout.write(lines.join('\n') + '\n');
    if (!ok) throw new RunError('doctor: a required tool is missing (see above)');
  },
};
