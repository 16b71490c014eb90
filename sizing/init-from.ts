// `ccready size init --from URL`: a resource-model config from the project's own history (issue 16
// item 1). The history (month by month: forms, active users, attachments; cases opened and
// closed) is read elsewhere (verify/collect); here, pure: the observed months, the projection
// and the config text, in the schema Dimagi's Python tool reads, every figure with its provenance.
import { UsageError } from '../common/errors.ts';

/** What the collector read (verify/collect ProjectHistory has this shape). */
export interface ObservedHistory {
  url: string;
  domain: string;
  months: { month: string; forms: number; activeUsers: number; attachments: number; attachmentBytes: number; formXmlBytes: number; formsWithAttachmentInfo: number }[];
  cases: { opened: Record<string, number>; closed: Record<string, number>; total: number; open: number };
  mobileWorkers: number;
  pages: number;
}

/** One complete month of the project, as the sizing reads it. */
export interface ObservedMonth {
  month: string;
  users: number;
  forms: number;
  newCases: number;
  closedCases: number;
  /** Cases open at the end of the month (opened by then, not closed by then). */
  openCases: number;
  attachments: number;
  attachmentBytes: number;
}

export interface Projection {
  /** First projected month (the month after the last observed one), YYYY-MM. */
  start: string;
  users: number[];
  /** Least-squares slope of active users over the trend window, users a month. */
  usersSlope: number;
  trendWindow: [string, string];
  rateWindow: [string, string];
  formsPerUser: number;
  newCasesPerUser: number;
  /** (opened − closed) per active user a month. */
  netOpenPerUser: number;
  /** Bytes of XML plus attachments per form, where the listings exposed them; null otherwise. */
  bytesPerForm: number | null;
  attachmentsPerForm: number | null;
  method: string;
}

/** Months the users' trend is fitted over, and months the per-user rates are averaged over. */
export const TREND_MONTHS = 12;
export const RATE_MONTHS = 3;

const ym = (d: Date) => d.toISOString().slice(0, 7);
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return ym(new Date(Date.UTC(y, m - 1 + n, 1)));
}
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));

/** The months as the sizing reads them: open cases carried from everything opened and closed before. */
export function observedMonths(h: ObservedHistory): ObservedMonth[] {
  const first = h.months[0]?.month;
  if (!first) return [];
  // Cases opened (or closed) before the first month with forms, or without a date, are there from the start.
  const before = (rec: Record<string, number>) => Object.entries(rec).reduce((n, [m, c]) => (m === 'unknown' || m < first ? n + c : n), 0);
  let opened = before(h.cases.opened);
  let closed = before(h.cases.closed);
  return h.months.map((m) => {
    const newCases = h.cases.opened[m.month] ?? 0;
    const closedCases = h.cases.closed[m.month] ?? 0;
    opened += newCases;
    closed += closedCases;
    return { month: m.month, users: m.activeUsers, forms: m.forms, newCases, closedCases, openCases: opened - closed, attachments: m.attachments, attachmentBytes: m.attachmentBytes };
  });
}

/** Least squares y = a + b·x over x = 0..n−1. */
function trend(ys: number[]): { a: number; b: number } {
  const n = ys.length;
  if (n < 2) return { a: ys[0] ?? 0, b: 0 };
  const mx = (n - 1) / 2;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => ((sxy += (x - mx) * (y - my)), (sxx += (x - mx) ** 2)));
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

/** The projection for `months` months after the last observed one; the method in words. */
export function project(h: ObservedHistory, obs: ObservedMonth[], months: number): Projection {
  if (!obs.length) throw new UsageError(`--from ${h.url}: project ${h.domain} has no forms in a complete month; nothing to size from (use \`ccready size init\` without --from)`);
  const tw = obs.slice(-TREND_MONTHS);
  const rw = obs.slice(-RATE_MONTHS);
  const { a, b } = trend(tw.map((m) => m.users));
  const last = obs.at(-1)!;
  const users = Array.from({ length: months }, (_, k) => Math.max(last.users, Math.round(a + b * (tw.length - 1 + k + 1))));
  const sum = (f: (m: ObservedMonth) => number) => rw.reduce((s, m) => s + f(m), 0);
  const ru = Math.max(1, sum((m) => m.users));
  const exposed = h.months.filter((m) => m.formsWithAttachmentInfo > 0);
  const exposedForms = exposed.reduce((s, m) => s + m.formsWithAttachmentInfo, 0);
  const bytesPerForm = exposedForms ? exposed.reduce((s, m) => s + m.attachmentBytes + m.formXmlBytes, 0) / exposedForms : null;
  const attachmentsPerForm = exposedForms ? exposed.reduce((s, m) => s + m.attachments, 0) / exposedForms : null;
  const win = (w: ObservedMonth[]): [string, string] => [w[0]!.month, w.at(-1)!.month];
  const p = {
    start: addMonths(last.month, 1),
    users,
    usersSlope: b,
    trendWindow: win(tw),
    rateWindow: win(rw),
    formsPerUser: sum((m) => m.forms) / ru,
    newCasesPerUser: sum((m) => m.newCases) / ru,
    netOpenPerUser: sum((m) => m.newCases - m.closedCases) / ru,
    bytesPerForm,
    attachmentsPerForm,
  };
  const method =
    `users: least-squares line through the active users of ${p.trendWindow.join('..')} (${b >= 0 ? '+' : ''}${round(b)} a month), ` +
    `never below the last observed month (${last.users}); forms, new cases and open-case growth per active user: ` +
    `the totals of ${p.rateWindow.join('..')} over its active users, held flat; totals start from what the project holds`;
  return { ...p, method };
}

const kb = (bytes: number) => Math.max(1, Math.round(bytes / 1024));

/** The observed months as a fixed-width comment table (also what a reader checks the figures against). */
export function observedTable(obs: ObservedMonth[]): string[] {
  const head = ['month', 'users', 'forms', 'new cases', 'closed', 'open cases', 'open cases/user', 'attachments', 'attachment MB'];
  const rows = obs.map((m) => [m.month, m.users, m.forms, m.newCases, m.closedCases, m.openCases, m.users ? (m.openCases / m.users).toFixed(1) : '', m.attachments, (m.attachmentBytes / 1e6).toFixed(1)].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `#   ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')}`;
  return [line(head), ...rows.map(line)];
}

/** The config text: the embedded example's services with the usage the project's history gives. */
export function initFromYaml(example: string, h: ObservedHistory, months: number, generatedAt = new Date()): string {
  if (!Number.isInteger(months) || months < 1 || months > 240) throw new UsageError(`--months: expected a whole number of months, 1 to 240, got ${months}`);
  const obs = observedMonths(h);
  const p = project(h, obs, months);
  const end = addMonths(p.start, months - 1);
  const d8 = (m: string) => `${m.replace('-', '')}01`;
  const from = `observed ${p.rateWindow.join('..')}`;
  const totalForms = obs.reduce((s, m) => s + m.forms, 0);
  const lastObs = obs.at(-1)!;
  const cut = (re: RegExp): string => {
    const m = re.exec(example);
    if (!m) throw new Error(`size init --from: the embedded example changed (${re}); update sizing/init-from.ts`);
    return m[0];
  };
  const services = cut(/\nservices:\n[^]*$/);
  const derived = cut(/  case_transactions_monthly:[^]*?(?=\nservices:)/);
  // Months with the same projected users share one range.
  const ranges: string[] = [];
  for (let i = 0; i < months; ) {
    let j = i;
    while (j + 1 < months && p.users[j + 1] === p.users[i]) j++;
    ranges.push(`      - ['${d8(addMonths(p.start, i))}', '${d8(addMonths(p.start, j))}', ${p.users[i]}]`);
    i = j + 1;
  }
  const summaries: string[] = [];
  for (let i = 11; i < months; i += 12) summaries.push(addMonths(p.start, i));
  if (summaries.at(-1) !== end) summaries.push(end);
  const blob = p.bytesPerForm === null ? null : kb(p.bytesPerForm);
  let servicesText = services;
  if (blob !== null) {
    const re = /(  blobdb:[^]*?        - referenced_field: 'forms_total'\n          unit_size: )20KB[^\n]*\n/;
    if (!re.test(servicesText)) throw new Error('size init --from: the embedded example changed (blobdb forms_total); update sizing/init-from.ts');
    servicesText = servicesText.replace(re, `$1${blob}KB   # observed: form XML + ${round(p.attachmentsPerForm!)} attachments per form on average (Form API attachment lengths)\n`);
  }
  const lines = [
    `# Sizing config written by \`ccready size init --from ${h.url}\` (project ${h.domain}) on ${generatedAt.toISOString().slice(0, 10)},`,
    `# from the project's own history read through HQ's Form, Case and User APIs (${h.pages} pages).`,
    `# Same schema as Dimagi's commcare_resource_model: the Python tool reads it unchanged. Run: ccready size THIS_FILE`,
    '#',
    `# Observed, complete months (users = distinct mobile workers who submitted a form that month;`,
    `# open cases = opened by the month's end and not closed by then; ${h.mobileWorkers} active mobile workers listed now):`,
    ...observedTable(obs),
    '#',
    `# Projection, --months ${months} from ${p.start}: ${p.method}.`,
    `# Attachments: ${blob === null ? "not exposed by the Form API listing: the blob store keeps the embedded example's 20KB per form" : `${blob}KB per form observed (XML and attachments)`}.`,
    "# Not observed (case transactions, restores, Kafka changes, requests per second): the embedded example's derivations, marked below.",
    '',
    cut(/estimation_buffer:[^]*?(?=\nsummary_dates:)/),
    `summary_dates:                  # every 12 months and the last month of the projection`,
    ...summaries.map((s) => `  - '${s}'`),
    '',
    cut(/vm_os_storage_gb:[^]*?(?=\nsets:)/),
    'sets:',
    '  users:',
    `    - name: 'observed'`,
    `      users: ${Math.max(...p.users)}          # the projection's peak of active users`,
    '',
    'usage:',
    `  users:                        # active mobile workers, projected (see the header)`,
    `    model: 'date_range_value'`,
    '    ranges:',
    ...ranges,
    '',
    `  forms_monthly:                # forms per active worker a month, ${from}`,
    `    model: 'derived_factor'`,
    `    dependant_field: 'users'`,
    `    factor: ${round(p.formsPerUser, 6)}`,
    '  forms_total:',
    `    model: 'cumulative'`,
    `    dependant_field: 'forms_monthly'`,
    `    start_with: ${totalForms}            # forms received ${obs[0]!.month}..${lastObs.month} (observed)`,
    '',
    `  cases_total:                  # every case ever opened: what the project holds, plus new cases per active worker a month (${from})`,
    `    model: 'baseline_with_growth'`,
    `    dependant_field: 'users'`,
    '    baseline: 0',
    `    monthly_growth: ${round(p.newCasesPerUser, 6)}`,
    `    start_with: ${h.cases.total}            # cases listed by the Case API (observed)`,
    `  active_cases:                 # open cases (what a restore carries): open now, plus (opened - closed) per active worker a month (${from})`,
    `    model: 'baseline_with_growth'`,
    `    dependant_field: 'users'`,
    '    baseline: 0',
    `    monthly_growth: ${round(p.netOpenPerUser, 6)}`,
    `    start_with: ${lastObs.openCases}            # open at the end of ${lastObs.month} (observed)`,
    '',
    '  # --- not observed: the embedded example\'s derivations (fixtures/sizing/example.yml) ---',
    derived.trimEnd(),
  ];
  return `${lines.join('\n')}\n${servicesText.replace(/^\n/, '\n')}`;
}
