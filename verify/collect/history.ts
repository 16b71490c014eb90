// A project's history month by month, read through its APIs for `ccready size init --from`:
// forms, active users (distinct submitters), attachments per month from the Form API; cases
// opened and closed per month from the Case API; mobile workers from the User API. Paging is
// bounded (pages and minutes) and resumable: after every page the state goes to a cursor file,
// so a Ctrl-C or a bound loses at most the page in flight, and a rerun with the same cursor
// goes on from there. The tallies are plain data; sizing/ derives the config from them.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { RunError, UsageError } from '../../common/errors.ts';
import type { Target } from '../../common/target.ts';
import { FORM_PAGE, monthsBetween, ProjectReader, type ApiCase, type ApiForm, type ReaderOptions } from './reader.ts';

/** One complete month as the Form API listed it. */
export interface MonthTally {
  month: string;
  forms: number;
  /** Distinct mobile workers (metadata.userID) who submitted a form this month. */
  activeUsers: number;
  /** Attachments other than the form XML, and their bytes (the listing's `attachments` lengths). */
  attachments: number;
  attachmentBytes: number;
  formXmlBytes: number;
  /** Forms whose listing carried an `attachments` map (0: the server does not expose them). */
  formsWithAttachmentInfo: number;
}

export interface CaseTallies {
  /** Cases opened per month (YYYY-MM); cases without date_opened count under `unknown`. */
  opened: Record<string, number>;
  closed: Record<string, number>;
  total: number;
  open: number;
}

export interface ProjectHistory {
  url: string;
  domain: string;
  /** Complete months only, oldest first. */
  months: MonthTally[];
  cases: CaseTallies;
  mobileWorkers: number;
  pages: number;
  retryWaits: number;
}

export interface HistoryOptions extends Omit<ReaderOptions, 'onRequest'> {
  cursorFile: string;
  /** Forms per Form API page (HQ's limit is 1000). */
  pageSize?: number;
  /** Stop (resumably) after this many pages in this run. */
  maxPages?: number;
  /** Stop (resumably) after this long in this run, ms. */
  maxMs?: number;
  /** The current month is not complete: months from it on are left out. */
  now?: Date;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  phase: 'forms' | 'cases' | 'users';
  month?: string;
  /** Months done of all months (forms phase). */
  done: number;
  months: number;
  pages: number;
}

export type HistoryResult = { status: 'complete'; history: ProjectHistory } | { status: 'stopped'; reason: 'interrupted' | 'bound'; pages: number; cursorFile: string; summary: string };

interface Cursor {
  version: 1;
  url: string;
  domain: string;
  pageSize: number;
  plan: string[];
  done: MonthTally[];
  current?: { month: string; offset: number; tally: MonthTally; users: string[] };
  cases?: { next: string | null; tallies: CaseTallies };
  mobileWorkers?: number;
  pages: number;
  retryWaits: number;
}

const emptyTally = (month: string): MonthTally => ({ month, forms: 0, activeUsers: 0, attachments: 0, attachmentBytes: 0, formXmlBytes: 0, formsWithAttachmentInfo: 0 });

function readCursor(file: string, target: Target): Cursor | undefined {
  if (!existsSync(file)) return undefined;
  let c: Cursor;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Cursor;
  } catch {
    throw new UsageError(`--cursor ${file}: not a ccready cursor file (unreadable JSON); delete it to start afresh`);
  }
  if (c?.version !== 1 || !Array.isArray(c.plan) || !Array.isArray(c.done)) throw new UsageError(`--cursor ${file}: not a ccready cursor file; delete it to start afresh`);
  if (c.url !== target.url || c.domain !== target.domain) throw new UsageError(`--cursor ${file}: it belongs to ${c.url} (${c.domain}), not ${target.url} (${target.domain}); choose another --cursor`);
  return c;
}

function writeCursor(file: string, c: Cursor): void {
  // Written whole then renamed: a Ctrl-C during the write never leaves half a cursor.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Adds one Form API page to the month's tally. */
export function addForms(t: MonthTally, users: Set<string>, forms: ApiForm[]): void {
  for (const f of forms) {
    t.forms++;
    if (f.metadata?.userID) users.add(f.metadata.userID);
    if (f.attachments && typeof f.attachments === 'object') {
      t.formsWithAttachmentInfo++;
      for (const [name, a] of Object.entries(f.attachments)) {
        const len = Number(a?.length ?? 0);
        if (name === 'form.xml') t.formXmlBytes += len;
        else {
          t.attachments++;
          t.attachmentBytes += len;
        }
      }
    }
  }
  t.activeUsers = users.size;
}

/** Adds one Case API page to the tallies. */
export function addCases(t: CaseTallies, cases: ApiCase[]): void {
  for (const c of cases) {
    const opened = (c.date_opened ?? '').slice(0, 7) || 'unknown';
    t.opened[opened] = (t.opened[opened] ?? 0) + 1;
    t.total++;
    if (c.closed) {
      const closed = (c.date_closed ?? '').slice(0, 7) || 'unknown';
      t.closed[closed] = (t.closed[closed] ?? 0) + 1;
    } else t.open++;
  }
}

const previousMonth = (now: Date): string => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

/** Reads (or goes on reading) the project's history; see the file's header. */
export async function collectHistory(target: Target, o: HistoryOptions): Promise<HistoryResult> {
  let pagesThisRun = 0;
  const started = Date.now();
  const reader = new ProjectReader('--from', target, { ...o, onRequest: undefined });
  const c: Cursor = readCursor(o.cursorFile, target) ?? { version: 1, url: target.url, domain: target.domain, pageSize: o.pageSize ?? FORM_PAGE, plan: [], done: [], pages: 0, retryWaits: 0 };
  const save = () => {
    c.retryWaits += reader.waits;
    reader.waits = 0;
    writeCursor(o.cursorFile, c);
  };
  const stopped = (reason: 'interrupted' | 'bound'): HistoryResult => {
    save();
    const read = c.done.length;
    const bound = `the bound (${o.maxPages ?? '∞'} pages or ${o.maxMs ? Math.round(o.maxMs / 60_000) : '∞'} min)`;
    return { status: 'stopped', reason, pages: pagesThisRun, cursorFile: o.cursorFile, summary: `${reason === 'bound' ? `stopped at ${bound}` : 'interrupted'} after ${pagesThisRun} pages this run; ${read} of ${c.plan.length} months read` };
  };
  /** Before each page: stop when interrupted or a bound is reached. */
  const mustStop = (): 'interrupted' | 'bound' | undefined => {
    if (o.signal?.aborted) return 'interrupted';
    if ((o.maxPages !== undefined && pagesThisRun >= o.maxPages) || (o.maxMs !== undefined && Date.now() - started >= o.maxMs)) return 'bound';
    return undefined;
  };
  const page = async <T>(get: () => Promise<T>): Promise<T | 'interrupted'> => {
    try {
      const r = await get();
      pagesThisRun++;
      c.pages++;
      return r;
    } catch (e) {
      if (o.signal?.aborted && e instanceof RunError) return 'interrupted';
      throw e;
    }
  };
  try {
    if (!c.plan.length && !c.done.length && c.pages === 0) {
      const span = await reader.formSpan();
      const last = previousMonth(o.now ?? new Date());
      c.plan = span && span.first <= last ? monthsBetween(span.first, span.last < last ? span.last : last) : [];
      save();
    }
    const progress = (phase: Progress['phase'], month?: string) => o.onProgress?.({ phase, month, done: c.done.length, months: c.plan.length, pages: c.pages });
    for (const month of c.plan.slice(c.done.length)) {
      if (!c.current || c.current.month !== month) c.current = { month, offset: 0, tally: emptyTally(month), users: [] };
      const users = new Set(c.current.users);
      for (;;) {
        const why = mustStop();
        if (why) return stopped(why);
        const p = await page(() => reader.formPage(month, c.current!.offset, c.pageSize));
        if (p === 'interrupted') return stopped('interrupted');
        addForms(c.current.tally, users, p.forms);
        c.current.users = [...users];
        if (p.next === null) {
          c.done.push(c.current.tally);
          c.current = undefined;
          save();
          progress('forms', month);
          break;
        }
        c.current.offset = p.next;
        save();
        progress('forms', month);
      }
    }
    if (!c.cases) c.cases = { next: reader.firstCasePage(), tallies: { opened: {}, closed: {}, total: 0, open: 0 } };
    while (c.cases.next) {
      const why = mustStop();
      if (why) return stopped(why);
      const path = c.cases.next;
      const p = await page(() => reader.casePage(path));
      if (p === 'interrupted') return stopped('interrupted');
      addCases(c.cases.tallies, p.cases);
      c.cases.next = p.next;
      save();
      progress('cases');
    }
    if (c.mobileWorkers === undefined) {
      const why = mustStop();
      if (why) return stopped(why);
      const n = await page(() => reader.mobileWorkers());
      if (n === 'interrupted') return stopped('interrupted');
      c.mobileWorkers = n;
      save();
      progress('users');
    }
    return {
      status: 'complete',
      history: { url: c.url, domain: c.domain, months: c.done, cases: c.cases.tallies, mobileWorkers: c.mobileWorkers, pages: c.pages, retryWaits: c.retryWaits + reader.waits },
    };
  } finally {
    await reader.close();
  }
}

/** Removes the cursor once its history is written into a config (a later run reads afresh). */
export function dropCursor(file: string): void {
  rmSync(file, { force: true });
}
