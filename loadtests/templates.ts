// Form templates for the submit scenario, built in Node (xmlbuilder2 does not run inside k6) and
// embedded in the bundled script or handed to it in the run config. Placeholders are described in
// contract.ts. A user's folder of Raw XML copied from HQ (`--xforms DIR`, the Locust convention)
// is turned into templates too: instanceID and created case ids become fresh per submission, and
// updated or closed case ids become the virtual worker's own cases.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { inputError } from '../common/errors.ts';
import type { FormKind, FormTemplate } from './contract.ts';

const CASE_NS = 'http://commcarehq.org/case/transaction/v2';
const META_NS = 'http://openrosa.org/jr/xforms';
const FORM_NS_BASE = 'http://openrosa.org/formdesigner/ccready-';

function meta(root: XMLBuilder): void {
  const m = root.ele(META_NS, 'n1:meta');
  m.ele(META_NS, 'n1:deviceID').txt('{{device_id}}');
  m.ele(META_NS, 'n1:timeStart').txt('{{time_start}}');
  m.ele(META_NS, 'n1:timeEnd').txt('{{time_end}}');
  m.ele(META_NS, 'n1:username').txt('{{username}}');
  m.ele(META_NS, 'n1:userID').txt('{{user_id}}');
  m.ele(META_NS, 'n1:instanceID').txt('{{instance_id}}');
  m.ele('http://commcarehq.org/xforms', 'n2:appVersion').txt('ccready load test, run {{run_id}}');
}

function formRoot(name: string, slug: string): { doc: XMLBuilder; root: XMLBuilder } {
  const doc = create({ version: '1.0' });
  const root = doc.ele(FORM_NS_BASE + slug, 'data', { name, uiVersion: '1', version: '1' });
  return { doc, root };
}

function caseBlock(root: XMLBuilder, caseId: string): XMLBuilder {
  return root.ele(CASE_NS, 'n0:case', { case_id: caseId, date_modified: '{{date_modified}}', user_id: '{{user_id}}' });
}

/** The three built-in forms: register a household member, visit them, close the case. */
export function builtinTemplates(): FormTemplate[] {
  const out: FormTemplate[] = [];
  {
    const { doc, root } = formRoot('Register Person', 'registration');
    root.ele('given_name').txt('Load');
    root.ele('family_name').txt('Test');
    root.ele('date_of_birth').txt('1990-08-28');
    root.ele('registered_on').txt('{{today}}');
    const c = caseBlock(root, '{{new_case_id:0}}');
    const cr = c.ele(CASE_NS, 'n0:create');
    cr.ele(CASE_NS, 'n0:case_type').txt('person');
    cr.ele(CASE_NS, 'n0:case_name').txt('Load Test');
    cr.ele(CASE_NS, 'n0:owner_id').txt('{{user_id}}');
    const up = c.ele(CASE_NS, 'n0:update');
    up.ele(CASE_NS, 'n0:date_of_birth').txt('1990-08-28');
    up.ele(CASE_NS, 'n0:registered_on').txt('{{today}}');
    meta(root);
    out.push({ name: 'registration', kind: 'registration', xmlns: FORM_NS_BASE + 'registration', creates: 1, xml: doc.end({ prettyPrint: true }) });
  }
  {
    const { doc, root } = formRoot('Follow-up Visit', 'followup');
    root.ele('visit_date').txt('{{today}}');
    root.ele('visit_comment').txt('routine visit');
    const c = caseBlock(root, '{{own_case_id}}');
    const up = c.ele(CASE_NS, 'n0:update');
    up.ele(CASE_NS, 'n0:last_visit').txt('{{today}}');
    up.ele(CASE_NS, 'n0:visit_comment').txt('routine visit');
    meta(root);
    out.push({ name: 'followup', kind: 'followup', xmlns: FORM_NS_BASE + 'followup', creates: 0, xml: doc.end({ prettyPrint: true }) });
  }
  {
    const { doc, root } = formRoot('Close Case', 'close');
    root.ele('close_reason').txt('moved away');
    const c = caseBlock(root, '{{own_case_id}}');
    c.ele(CASE_NS, 'n0:update').ele(CASE_NS, 'n0:close_reason').txt('moved away');
    c.ele(CASE_NS, 'n0:close');
    meta(root);
    out.push({ name: 'close', kind: 'close', xmlns: FORM_NS_BASE + 'close', creates: 0, xml: doc.end({ prettyPrint: true }) });
  }
  return out;
}

function localName(n: { nodeName: string }): string {
  const i = n.nodeName.indexOf(':');
  return i >= 0 ? n.nodeName.slice(i + 1) : n.nodeName;
}

type El = Element;

function childElements(el: El): El[] {
  const out: El[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as El);
  return out;
}

function setText(el: El, text: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(text));
}

/**
 * Turns one Raw XML form into a template. Throws an input error naming the file when it is not
 * a usable form (not XML, no xmlns, no namespaced meta block).
 */
export function templateFromXml(xml: string, file: string): FormTemplate {
  let builder: XMLBuilder;
  let doc: Document;
  try {
    builder = create(xml);
    doc = builder.node as unknown as Document;
  } catch (e) {
    throw inputError(file, undefined, `expected an XForm instance (Raw XML copied from HQ), but it is not XML (${(e as Error).message.split('\n')[0]})`);
  }
  const root = doc.documentElement;
  if (!root) throw inputError(file, undefined, 'expected an XForm instance, found no root element');
  const xmlns = root.namespaceURI ?? '';
  if (!xmlns) throw inputError(file, root.nodeName, 'expected the root element to have an xmlns (HQ rejects forms without one)');

  const all: El[] = [];
  const walk = (el: El) => {
    all.push(el);
    for (const c of childElements(el)) walk(c);
  };
  walk(root);
  let metaEl = all.find((e) => localName(e) === 'meta' && e.namespaceURI === META_NS) ?? all.find((e) => localName(e) === 'meta');
  if (!metaEl) {
    // HQ would assign an id itself, but then every replay of the same file would be one form.
    metaEl = doc.createElementNS(META_NS, 'ccmeta:meta') as El;
    root.appendChild(metaEl);
  }
  const m = metaEl;
  const metaChild = (name: string): El => {
    let el = childElements(m).find((c) => localName(c) === name);
    if (!el) {
      el = doc.createElementNS(m.namespaceURI, m.prefix ? `${m.prefix}:${name}` : name) as El;
      m.appendChild(el);
    }
    return el;
  };
  setText(metaChild('instanceID'), '{{instance_id}}');
  setText(metaChild('deviceID'), '{{device_id}}');
  setText(metaChild('userID'), '{{user_id}}');
  setText(metaChild('username'), '{{username}}');
  setText(metaChild('timeStart'), '{{time_start}}');
  setText(metaChild('timeEnd'), '{{time_end}}');

  // Top-level case blocks (not nested in another case), as commcare-perf rewrites them.
  const cases = all.filter((e) => localName(e) === 'case' && e.namespaceURI === CASE_NS && !(e.parentNode && localName(e.parentNode as El) === 'case'));
  let creates = 0;
  let updates = 0;
  let closes = 0;
  for (const c of cases) {
    const kids = childElements(c).map(localName);
    if (kids.includes('create')) {
      c.setAttribute('case_id', `{{new_case_id:${creates}}}`);
      creates++;
    } else {
      c.setAttribute('case_id', '{{own_case_id}}');
      if (kids.includes('close')) closes++;
      else updates++;
    }
    if (c.hasAttribute('date_modified')) c.setAttribute('date_modified', '{{date_modified}}');
    if (c.hasAttribute('user_id')) c.setAttribute('user_id', '{{user_id}}');
    for (const ch of childElements(c)) {
      if (localName(ch) !== 'create') continue;
      const owner = childElements(ch).find((x) => localName(x) === 'owner_id');
      if (owner) setText(owner, '{{user_id}}');
    }
  }
  const kind: FormKind = creates > 0 ? 'registration' : closes > 0 ? 'close' : updates > 0 ? 'followup' : 'other';
  const out = builder.end();
  const name = file.split('/').pop() ?? file;
  return { name, kind, xmlns, creates, xml: out };
}

/** Every *.xml file of a folder as templates (sorted by name). */
export function templatesFromDir(dir: string): FormTemplate[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  } catch (e) {
    throw inputError('--xforms', undefined, `expected a folder of Raw XML forms, cannot read "${dir}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (names.length === 0) throw inputError('--xforms', undefined, `expected at least one .xml form in "${dir}", found none`);
  return names.map((n) => {
    const path = join(dir, n);
    return templateFromXml(readFileSync(path, 'utf8'), path);
  });
}
