// The `yaml` library, loaded on first use: most `ccready size` runs never need it (sizing reads
// plain configs with sizing/yaml-lite.ts, and the default server is not a file), and loading it
// costs more than sizing a config. Synchronous, because config parsing is.
import { createRequire } from 'node:module';

let lib: typeof import('yaml') | undefined;

export function yamlLib(): typeof import('yaml') {
  lib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return lib;
}
