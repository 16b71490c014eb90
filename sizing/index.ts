// Public API of the sizing engine: a port of Dimagi's commcare_resource_model that reads the
// same YAML configs and computes the same tables (see docs/sizing.md), and the single-server
// verdict (docs/verdict.md). Other folders import sizing only through this file.
import { fileURLToPath } from 'node:url';

export type * from './types.ts';
export { loadSizingConfig, parseSizingConfig, MODEL_SLUGS } from './config.ts';
export { runModel, combinedSets } from './model.ts';
export { outputFiles } from './csv.ts';
export { computeVerdict, tierForUsers, TIERS, SINGLE_SERVER_MAX_USERS, SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER, ACTIVE_CASES_FIELD_CANDIDATES } from './verdict.ts';
export { scaleUsers, usersFactor, peakUsers, scaleField, parseVary } from './scale-users.ts';
export { initConfigYaml, checkInitFigures, defaultInitFigures, type InitFigures } from './init.ts';
export { initFromYaml, observedMonths, project, observedTable, TREND_MONTHS, RATE_MONTHS, type ObservedHistory, type ObservedMonth, type Projection } from './init-from.ts';
export { parseBackupPlan, describeBackupPlan, BACKUP_GROUP } from './backup.ts';
export { parseVarFlags, varValue, varValues, judgeRuns, crossedLimits, varyRows } from './what-if.ts';
export { consoleText, jsonText, summaryText, usageFieldText, renderTable, fmt, formatCoresCapacity, formatVerdict, formatWhatIf, limitRows, whatIfRows, verdictText, fitsUntilText, purchaseLines, memorySplitRows, memorySplitSummary, memorySplitSources } from './format.ts';
export { monolithSetting, type MonolithSetting } from './monolith-settings.ts';

/** Absolute path of the embedded example config (what `ccready size` runs with no argument). */
export const EXAMPLE_CONFIG: string = fileURLToPath(new URL('../fixtures/sizing/example.yml', import.meta.url));
