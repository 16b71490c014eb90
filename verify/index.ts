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
// For drill/ (backup drill, upgrade rehearsal), which runs its own steps with the verifier's
// context, recorder, forms and mobile submission rather than re-implementing them.
export { withDefaults } from './run.ts';
export { domainPath, mobileUsername, sleep, type VerifyContext, type Worker } from './context.ts';
export type { Recorder, StepDef } from './step.ts';
export { registrationForm, followUpForm } from './forms.ts';
export { submit } from './mobile.ts';
export { api } from './api.ts';
export { readDeployedVersion, type DeployedVersion } from './deployed.ts';
