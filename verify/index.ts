// The verifier's API: the post-install QA plan as steps, the READY / NOT READY decision, the CI
// gate, and the upgrade canary. The CLI (cli/commands/verify.ts, gate.ts) only parses flags and
// calls these.
export { runVerify, verifySteps, runSteps, toReport, type ProgressEvent, type VerifyRunOptions } from './run.ts';
export { preflight, connectProblem, type PreflightResult } from './preflight.ts';
export { runGate, waitForServerUp, backoffDelay, type GateOptions, type LoadRunner, type LoadOutcome } from './gate.ts';
export { canaryWrite, canaryCheck, readManifest, type CanaryManifest, type CanaryOptions } from './canary.ts';
export { decide, suspectServices, likelyAtFault } from './decide.ts';
export { judgeHost, gatherHostFacts, type LocalOptions, type HostFacts } from './local.ts';
export { consoleProgress, type Progress } from './progress.ts';
export type { VerifyOptions } from './context.ts';
export type { StepResult, Decision, Verdict, VerifyReport, Service, Suspect, UpgradeSummary } from './types.ts';
