// Public API of the load tests (used by the CLI and by `ccready gate`).
export { runLoad } from './runner.ts';
export type { RunLoadOptions, ConfigurationCheck } from './runner.ts';
export type { LoadResult, LoadRunRecord, LoadVerdict, Completion, RunSample } from './record.ts';
export { checkSafety, buildRunConfig } from './config.ts';
export { prepareRun, DEFAULT_MAX_DURATION_S, CEILINGS } from './prepare.ts';
export type { PreparedRun, PrepareInput } from './prepare.ts';
export { judgeRun, plannedIterations, segmentShare, describeK6Exit, MIN_COMPLETION } from './outcome.ts';
export type { Judgement, RunFacts, K6Exit } from './outcome.ts';
export { PROFILES, SCENARIOS } from './contract.ts';
export { heartbeat, heartbeatLine } from './live.ts';
export { cleanRuns, deadRuns, describeCleaned, readLedgers, stateDir } from './leftovers.ts';
export type { Ledger, Cleaned } from './leftovers.ts';
export type { Heartbeat } from './live.ts';
export { resolveK6, k6Version, TESTED_K6_VERSION } from './k6bin.ts';
export { calibrate } from './calibrate.ts';
export { checkSampler, type SamplerOptions } from './server-sampler.ts';
export { sharingProposal } from './server-numbers.ts';
export type { K6Binary } from './k6bin.ts';
export {
  derivePlan, defaultPlan, shapeRun, arrivalRate, k6Thresholds, mergeThresholds,
  DEFAULT_THRESHOLDS, DEFAULT_FIELDS, DEFAULT_ASSUMPTIONS, DEFAULT_DURATIONS,
} from './plan.ts';
export { validatePlan } from './plan-file.ts';
export type { LoadPlan, Thresholds, UsageFields, UsageTable, PlanAssumptions, ScenarioShape } from './plan.ts';
export { interpretSummary } from './summary.ts';
export type { LoadSummary, StepResult } from './summary.ts';
export { auditForms, parseAckLog, missingIds, listFormIds } from './audit.ts';
export type { AuditResult, Ack } from './audit.ts';
export { bundleScenarios, ensureBundle, SCRIPT_NAME, DEFAULT_BUNDLE_DIR } from './bundle.ts';
export { builtinTemplates, templateFromXml, templatesFromDir } from './templates.ts';
export { parseUsersCsv, readUsersCsv, createUsers, deleteUsers, fullUsername } from './users.ts';
export type { ScenarioName, ProfileName, FormTemplate, K6RunConfig, MobileWorker } from './contract.ts';
// Split runs (execution segments on several machines, k6-operator runner pods): one verdict,
// one audit. A generator's results as a SegmentResult; mergeRun judges and writes the report.
export { mergeRun, mergeInputFromFolders, readSegmentFolder } from './merge.ts';
export type { SegmentResult, MergeRunInput } from './merge.ts';
export { mergeK6Summaries } from './merge-metrics.ts';
export { checkCoverage } from './merge-segments.ts';
export { parseRejectLog } from './audit.ts';
// k6-operator: the TestRun, and its runners' results collected and merged.
export { k8sManifest, defaultTestRunName, RUNNER_IMAGE } from './k8s.ts';
export type { K8sInput, K8sRunFile } from './k8s.ts';
export { collectK8sRun, collectTestRun, kubectlCommand } from './k8s-collect.ts';
export type { Kubectl, CollectRunInput } from './k8s-collect.ts';
