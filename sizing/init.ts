// `ccready size init` (guided, without --from): a resource-model config from a few planning
// figures, written in the schema Dimagi's Python tool reads. It is the embedded example with the
// planner's figures put in, each with a comment saying where it came from. Pure: text in, text out.
import { UsageError } from '../common/errors.ts';

export interface InitFigures {
  users: number;
  formsPerUserDay: number;
  casesPerUserMonth: number;
  caseLifespanMonths: number;
  attachmentsKbPerForm: number;
  months: number;
  /** first month, YYYY-MM */
  start: string;
}

/** Working days a month the example counts forms and syncs over. */
const WORKING_DAYS = 20;

const ym = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
function addMonths(start: string, n: number): string {
  const [y, m] = start.split('-').map(Number) as [number, number];
  return ym(new Date(Date.UTC(y, m - 1 + n, 1)));
}

/** Checks the figures; one line naming the flag otherwise. */
export function checkInitFigures(f: InitFigures): InitFigures {
  const need = (flag: string, v: number, ok: boolean, what: string) => {
    if (!Number.isFinite(v) || !ok) throw new UsageError(`${flag}: expected ${what}, got ${v}`);
  };
  need('--users', f.users, Number.isInteger(f.users) && f.users > 0 && f.users <= 10_000_000, 'a whole number of users above 0');
  need('--forms-per-user-day', f.formsPerUserDay, f.formsPerUserDay >= 0 && f.formsPerUserDay <= 1000, 'forms per user per working day, 0 to 1000');
  need('--cases-per-user', f.casesPerUserMonth, f.casesPerUserMonth >= 0 && f.casesPerUserMonth <= 100_000, 'new cases per user per month, 0 to 100000');
  need('--case-lifespan-months', f.caseLifespanMonths, Number.isInteger(f.caseLifespanMonths) && f.caseLifespanMonths >= 1 && f.caseLifespanMonths <= 600, 'whole months a case stays open, 1 to 600');
  need('--attachments-kb-per-form', f.attachmentsKbPerForm, f.attachmentsKbPerForm >= 0 && f.attachmentsKbPerForm <= 1_000_000, 'KB of attachments per form, 0 to 1000000');
  need('--months', f.months, Number.isInteger(f.months) && f.months >= 1 && f.months <= 240, 'a whole number of months, 1 to 240');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(f.start)) throw new UsageError(`--start: expected a month as YYYY-MM, got "${f.start}"`);
  return f;
}

/** The config text: the example's services and derived fields with the planner's figures. */
export function initConfigYaml(example: string, f: InitFigures, generatedAt = new Date()): string {
  checkInitFigures(f);
  const end = addMonths(f.start, f.months - 1);
  const d8 = (m: string) => `${m.replace('-', '')}01`;
  const summaries: string[] = [];
  for (let i = 11; i < f.months; i += 12) summaries.push(addMonths(f.start, i));
  if (summaries[summaries.length - 1] !== end) summaries.push(end);
  const from = `ccready size init, ${ym(generatedAt)}`;
  const replace = (text: string, re: RegExp, by: string): string => {
    if (!re.test(text)) throw new Error(`size init: the embedded example changed (${re}); update sizing/init.ts`);
    return text.replace(re, by);
  };
  let t = example;
  t = replace(t, /^# Example sizing:[^]*?\n\n/, `# Sizing config written by \`ccready size init\` (${ym(generatedAt)}) from the planner's figures below;\n# the services and derived fields are ccready's embedded example (fixtures/sizing/example.yml).\n# Same schema as Dimagi's commcare_resource_model: the Python tool reads it unchanged.\n# Run: ccready size THIS_FILE\n\n`);
  t = replace(t, /summary_dates:[^\n]*\n(\s+- '[^']+'[^\n]*\n)+/, `summary_dates:                  # every 12 months and the last month (${from})\n${summaries.map((s) => `  - '${s}'`).join('\n')}\n`);
  t = replace(t, /      users: 1000\n/, `      users: ${f.users}                 # --users (${from})\n`);
  t = replace(t, /    ranges:\n      - \['20260101', '20260601', 400\]\n      - \['20260701', '20261201', 700\]\n      - \['20270101', '20281201', '\{users\}'\]\n/, `    ranges:                     # --months ${f.months} from ${f.start} (${from})\n      - ['${d8(f.start)}', '${d8(end)}', '{users}']\n`);
  t = replace(t, /(  forms_monthly:[^\n]*\n    model: 'derived_factor'\n    dependant_field: 'users'\n    factor: )60\n/, `$1${Number((f.formsPerUserDay * WORKING_DAYS).toPrecision(6))}   # --forms-per-user-day ${f.formsPerUserDay} × ${WORKING_DAYS} working days (${from})\n`);
  t = replace(t, /    baseline: 100\n    monthly_growth: 10\n/, `    baseline: 0                 # a new project (${from})\n    monthly_growth: ${f.casesPerUserMonth}   # --cases-per-user (${from})\n`);
  t = replace(t, /(  cases_open_recent:[^\n]*\n    model: 'cumulative_limited_lifespan'\n    dependant_field: 'cases_total_monthly'\n    lifespan: )9\n/, `$1${f.caseLifespanMonths}   # --case-lifespan-months (${from})\n`);
  t = replace(t, /(        - referenced_field: 'forms_total'\n          unit_size: )20KB[^\n]*\n(?![^]*unit_size: 20KB)/, `$1${Math.round(f.attachmentsKbPerForm)}KB   # --attachments-kb-per-form (${from})\n`);
  return t;
}

/** The figures' defaults: the embedded example's, a three-year horizon from next month. */
export function defaultInitFigures(now = new Date()): InitFigures {
  return { users: 1000, formsPerUserDay: 3, casesPerUserMonth: 10, caseLifespanMonths: 9, attachmentsKbPerForm: 20, months: 36, start: addMonths(ym(now), 1) };
}
