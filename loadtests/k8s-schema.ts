// Checks a Kubernetes object against a CRD's structural OpenAPI v3 schema, the way the API server
// reads it: types (with int32/int64 ranges and int-or-string), required fields, enums, patterns,
// lengths, minimums, and fields the schema does not know. The API server silently *prunes*
// unknown fields (unless x-kubernetes-preserve-unknown-fields), so a misspelt `separate` would be
// dropped without a word; here it is an error. Pure: the caller reads the CRD.
import { parse } from 'yaml';

export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  anyOf?: OpenApiSchema[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

/** The openAPIV3Schema of one served version of a CustomResourceDefinition (YAML text). */
export function crdSchema(crdYaml: string, version: string): OpenApiSchema {
  const crd = parse(crdYaml) as { kind?: string; spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: OpenApiSchema } }[] } };
  if (crd?.kind !== 'CustomResourceDefinition') throw new Error('expected a CustomResourceDefinition');
  const v = crd.spec?.versions?.find((x) => x.name === version);
  if (!v?.schema?.openAPIV3Schema) throw new Error(`CRD has no openAPIV3Schema for version ${version}`);
  return v.schema.openAPIV3Schema;
}

const INT_RANGE: Record<string, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` breaks `schema`, one line each naming the field path; empty when it fits. */
export function schemaErrors(value: unknown, schema: OpenApiSchema, path = ''): string[] {
  const at = path || '(root)';
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') return value.length && schema.pattern && !new RegExp(schema.pattern).test(value) ? [`${at}: "${value}" does not match ${schema.pattern}`] : [];
    return Number.isInteger(value) ? [] : [`${at}: expected an integer or a string, got ${typeOf(value)}`];
  }
  if (schema.anyOf) {
    const fits = schema.anyOf.some((s) => schemaErrors(value, { ...schema, anyOf: undefined, ...s }, path).length === 0);
    return fits ? [] : [`${at}: matches none of ${schema.anyOf.map((s) => s.type).join(' | ')}`];
  }
  const t = typeOf(value);
  if (schema.type && !(t === schema.type || (schema.type === 'number' && t === 'integer'))) return [`${at}: expected ${schema.type}, got ${t}`];
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: expected one of ${schema.enum.join(', ')}, got ${JSON.stringify(value)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: "${value}" does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${at}: expected a date-time, got "${value}"`);
  }
  if (typeof value === 'number') {
    const range = schema.format ? INT_RANGE[schema.format] : undefined;
    if (range && (value < range[0] || value > range[1])) errors.push(`${at}: ${value} is out of ${schema.format} range`);
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...schemaErrors(v, schema.items!, `${path}[${i}]`)));
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${path ? `${path}.` : ''}${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const p = path ? `${path}.${k}` : k;
      const sub = schema.properties?.[k];
      if (sub) errors.push(...schemaErrors(v, sub, p));
      else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(v, schema.additionalProperties, p));
      else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) continue;
      // metadata is `type: object` with no properties in every CRD: the API server validates ObjectMeta itself.
      else if (schema.properties) errors.push(`${p}: not a field of this schema (the API server would drop it)`);
    }
  }
  return errors;
}
