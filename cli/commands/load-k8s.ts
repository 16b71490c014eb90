// `ccready load k8s collect`: argument parsing only; the work is in loadtests/k8s-collect.ts.
import type { Argv, CommandModule } from 'yargs';
import { collectK8sRun, kubectlCommand, type LoadResult } from '../../loadtests/index.ts';
import { num, targetFrom, targetOptions, type TargetArgs } from '../flags.ts';

interface CollectArgs extends TargetArgs {
  name: string;
  namespace?: string;
  kubectl?: string;
  out?: string;
  audit: boolean;
  auditTimeout: number;
}

/** The command; `verdictText` is `load run`'s verdict block (passed in: load.ts mounts this command). */
export const k8sCollectCommand = (verdictText: (r: LoadResult) => string): CommandModule => ({
  command: 'collect',
  describe: 'after a TestRun: gather every runner pod\'s results from the results claim with kubectl, then one verdict and one integrity audit',
  builder: (y: Argv) =>
    targetOptions(y)
      .example('ccready load k8s collect --name ccready-20261130t090000z-abc123 --namespace load --target-env hq.env', 'merged report of all runner pods; exit 0 PASS, 1 FAIL or lost forms')
      .option('name', { type: 'string', demandOption: true, describe: 'the TestRun (as `load k8s` printed it)' })
      .option('namespace', { type: 'string', describe: 'its Kubernetes namespace (default: kubectl\'s current one)' })
      .option('kubectl', { type: 'string', describe: 'kubectl binary (default $KUBECTL, else kubectl on PATH); its current context is the cluster' })
      .option('out', { type: 'string', describe: 'report folder of the merged run (default reports/runs/<run-id>/); the pods\' files go to its pods/' })
      .option('audit', { type: 'boolean', default: true, describe: 'check every acknowledged form against the Form API (--no-audit to skip)' })
      .option('audit-timeout', { type: 'string', default: 60, coerce: num('audit-timeout', { min: 0, unit: 'seconds' }), describe: 'seconds to wait for the Form API to list every form' }),
  handler: async (argv) => {
    const a = argv as unknown as CollectArgs;
    const r = await collectK8sRun({
      name: a.name,
      namespace: a.namespace,
      kubectl: kubectlCommand(a.kubectl ?? process.env.KUBECTL ?? 'kubectl'),
      out: a.out,
      // The audit asks the server the pods ran against; credentials from the flags or CCHQ_*.
      target: (url, domain) => targetFrom({ ...a, target: a.target ?? url, domain: a.domain ?? domain }),
      audit: a.audit ? undefined : false,
      auditTimeoutS: a.auditTimeout,
      onProgress: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(verdictText(r));
    process.exitCode = r.exitCode;
  },
});
