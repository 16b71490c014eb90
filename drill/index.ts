// The drills: proving recovery (issue 14). The CLI only parses flags and calls these.
export { drillWrite, drillCheck, drillRetire, type DrillOptions } from './backup.ts';
export { readManifest, type DrillManifest } from './manifest.ts';
export { backupFacts } from './local.ts';
export { runUpgradeRehearsal, type UpgradeOptions } from './upgrade.ts';
