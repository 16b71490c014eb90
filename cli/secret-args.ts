// Secret flags (--password, --web-password, --api-key) before yargs sees them. Apart from
// cli/flags.ts so the entry (cli/main.ts) loads nothing more than this: a plain `ccready size`
// shares the entry's chunk (docs/sizing.md, start-up).
import { UsageError } from '../common/errors.ts';

/** The flags whose value is a secret, with the variable that can hold it instead. */
const SECRET_FLAGS = new Map([
  ['--password', 'CCHQ_PASSWORD'], ['--web-password', 'CCHQ_WEB_PASSWORD'], ['--api-key', 'CCHQ_API_KEY'],
  ['--webPassword', 'CCHQ_WEB_PASSWORD'], ['--apiKey', 'CCHQ_API_KEY'],
]);

/**
 * A password may begin with "-" (1 in 64 of base64url ones do): yargs reads `--password -Ab3` as the
 * flag with no value followed by the short flags -A -b -3, and its "Unknown arguments: A, b, 3" prints
 * the secret's letters. So the token after a secret flag is its value (`--password=-Ab3`), unless it
 * begins with "--": that is taken for the next flag (secretWithoutValue says so without echoing it).
 */
export function attachSecretValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (SECRET_FLAGS.has(a) && next !== undefined && next.startsWith('-') && !next.startsWith('--')) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * The usage error for a secret flag followed by something that begins with "--" (a forgotten value,
 * or a password that begins with "--") when parsing failed: names the flag and the way out, and
 * never the unknown words yargs found, which may be the secret. Undefined when there is none.
 */
export function secretWithoutValue(argv: string[]): UsageError | undefined {
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (SECRET_FLAGS.has(a) && (next === undefined || next.startsWith('--'))) {
      return new UsageError(`${a}: expected a value (one that begins with "--" must be written ${a}=VALUE, or set ${SECRET_FLAGS.get(a)})`);
    }
  }
  return undefined;
}
