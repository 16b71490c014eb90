// The XForms the verifier submits as its mobile worker: a registration form that creates a case and
// a follow-up that updates it, plus a close. CaseXML 2.0 and OpenRosa meta, as HQ-built apps send.
import { randomUUID } from 'node:crypto';

export const CASE_XMLNS = 'http://commcarehq.org/case/transaction/v2';
export const META_XMLNS = 'http://openrosa.org/jr/xforms';
export const REGISTRATION_XMLNS = 'http://openrosa.org/formdesigner/ccready-verify-registration';
export const FOLLOWUP_XMLNS = 'http://openrosa.org/formdesigner/ccready-verify-followup';
export const CLOSE_XMLNS = 'http://openrosa.org/formdesigner/ccready-verify-close';
export const CASE_TYPE = 'ccready_check';

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface FormUser {
  userId: string;
  username: string;
}

export interface BuiltForm {
  formId: string;
  caseId: string;
  xmlns: string;
  xml: string;
}

function meta(formId: string, user: FormUser, at: Date): string {
  const t = at.toISOString();
  return (
    `<n1:meta xmlns:n1="${META_XMLNS}"><n1:deviceID>ccready-verify</n1:deviceID><n1:timeStart>${t}</n1:timeStart>` +
    `<n1:timeEnd>${t}</n1:timeEnd><n1:username>${xmlEscape(user.username)}</n1:username><n1:userID>${xmlEscape(user.userId)}</n1:userID>` +
    `<n1:instanceID>${formId}</n1:instanceID><n2:appVersion xmlns:n2="http://commcarehq.org/xforms">ccready verify</n2:appVersion></n1:meta>`
  );
}

function props(p: Record<string, string>): string {
  return Object.entries(p)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
}

/** Registration: creates a case owned by the worker with the given properties. */
export function registrationForm(user: FormUser, caseName: string, properties: Record<string, string>, at = new Date(), caseId = randomUUID()): BuiltForm {
  const formId = randomUUID();
  const t = at.toISOString();
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<data xmlns="${REGISTRATION_XMLNS}" name="ccready registration" uiVersion="1" version="1">` +
    `<case_name>${xmlEscape(caseName)}</case_name>${props(properties)}` +
    `<n0:case xmlns:n0="${CASE_XMLNS}" case_id="${caseId}" date_modified="${t}" user_id="${xmlEscape(user.userId)}">` +
    `<n0:create><n0:case_type>${CASE_TYPE}</n0:case_type><n0:case_name>${xmlEscape(caseName)}</n0:case_name><n0:owner_id>${xmlEscape(user.userId)}</n0:owner_id></n0:create>` +
    `<n0:update>${props(properties).replace(/<(\/?)(\w+)>/g, '<$1n0:$2>')}</n0:update></n0:case>` +
    meta(formId, user, at) +
    `</data>`;
  return { formId, caseId, xmlns: REGISTRATION_XMLNS, xml };
}

/** Follow-up: updates (and optionally closes) an existing case. */
export function followUpForm(user: FormUser, caseId: string, properties: Record<string, string>, opts: { close?: boolean; at?: Date } = {}): BuiltForm {
  const formId = randomUUID();
  const at = opts.at ?? new Date();
  const xmlns = opts.close ? CLOSE_XMLNS : FOLLOWUP_XMLNS;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<data xmlns="${xmlns}" name="ccready ${opts.close ? 'close' : 'follow-up'}" uiVersion="1" version="1">` +
    props(properties) +
    `<n0:case xmlns:n0="${CASE_XMLNS}" case_id="${caseId}" date_modified="${at.toISOString()}" user_id="${xmlEscape(user.userId)}">` +
    `<n0:update>${props(properties).replace(/<(\/?)(\w+)>/g, '<$1n0:$2>')}</n0:update>${opts.close ? '<n0:close/>' : ''}</n0:case>` +
    meta(formId, user, at) +
    `</data>`;
  return { formId, caseId, xmlns, xml };
}

/** The OpenRosa `nature` of a receiver or restore response, if any. */
export function openRosaNature(body: string): string | undefined {
  return /<message[^>]*\snature="([^"]+)"/.exec(body)?.[1];
}

export function openRosaMessage(body: string): string {
  return (/<message[^>]*>([\s\S]*?)<\/message>/.exec(body)?.[1] ?? '').trim();
}

export function restoreId(body: string): string | undefined {
  return /<restore_id>([^<]+)<\/restore_id>/.exec(body)?.[1];
}

/** Case ids present as CaseXML blocks in a restore payload. */
export function restoreCaseIds(body: string): string[] {
  return [...body.matchAll(/<case\b[^>]*\scase_id="([^"]+)"/g)].map((m) => m[1]);
}
