// Public API of the sizing engine: a port of Dimagi's commcare_resource_model.
import { fileURLToPath } from 'node:url';
import { UsageError } from '../common/errors.ts';
import type { LoadOptions, ModelResult, RunOptions, SizingConfig } from './types.ts';

export type * from './types.ts';

/** Absolute path of the embedded example config (what `ccready size` runs with no argument). */
export const EXAMPLE_CONFIG: string = fileURLToPath(new URL('../fixtures/sizing/example.yml', import.meta.url));

export function loadSizingConfig(path: string, opts?: LoadOptions): SizingConfig {
  void path; void opts;
  throw new UsageError('sizing engine: loader not implemented yet');
}

export function parseSizingConfig(yamlText: string, file: string, opts?: LoadOptions): SizingConfig {
  void yamlText; void file; void opts;
  throw new UsageError('sizing engine: loader not implemented yet');
}

export function runModel(config: SizingConfig, opts?: RunOptions): ModelResult {
  void config; void opts;
  throw new UsageError('sizing engine: model not implemented yet');
}
