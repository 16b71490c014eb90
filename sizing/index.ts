// Public API of the sizing engine: a port of Dimagi's commcare_resource_model that reads the
// same YAML configs and computes the same tables (see docs/sizing.md).
import { fileURLToPath } from 'node:url';

export type * from './types.ts';
export { loadSizingConfig, parseSizingConfig, MODEL_SLUGS } from './config.ts';
export { runModel, combinedSets } from './model.ts';

/** Absolute path of the embedded example config (what `ccready size` runs with no argument). */
export const EXAMPLE_CONFIG: string = fileURLToPath(new URL('../fixtures/sizing/example.yml', import.meta.url));
export * from './verdict.ts';
export * from '../common/server-spec.ts';
