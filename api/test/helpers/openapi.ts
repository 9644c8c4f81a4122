import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A JSON Schema node of the OpenAPI document (only what the tests read). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  additionalProperties?: boolean | SchemaNode;
}

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: SchemaNode;
}

export interface Operation {
  method: string;
  /** The path as the document writes it: `/v1/invoices/{id}`. */
  template: string;
  operationId: string;
  parameters: Parameter[];
  body: SchemaNode | undefined;
  secured: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The committed OpenAPI document (generated from the routes; `npm run generate`). */
export const openapi = JSON.parse(readFileSync(path.join(ROOT, 'schema/openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: SchemaNode }> };
        security?: unknown[];
      }
    >
  >;
  components: { schemas: Record<string, SchemaNode> };
};

/** Follows `$ref`s (and a one-branch `allOf`) to the schema they name. */
export function resolve(node: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; hops < 10; hops++) {
    if (current.$ref) current = openapi.components.schemas[current.$ref.replace('#/components/schemas/', '')]!;
    else if (current.allOf?.length === 1) current = current.allOf[0]!;
    else break;
  }
  return current;
}

/** Every operation of the document, in document order. */
export function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [template, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId,
        parameters: op.parameters ?? [],
        body: body && resolve(body),
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return out;
}

const typeOf = (node: SchemaNode): string | undefined => {
  const n = resolve(node);
  if (n.enum || n.const !== undefined) return 'enum';
  if (Array.isArray(n.type)) return n.type.find((t) => t !== 'null');
  if (n.type) return n.type;
  if (n.properties) return 'object';
  const branch = n.anyOf?.[0] ?? n.oneOf?.[0];
  return branch ? typeOf(branch) : undefined;
};

/** A value the schema accepts, as small as it can be (required members only). */
export function sample(node: SchemaNode, depth = 0): unknown {
  const n = resolve(node);
  if (n.const !== undefined) return n.const;
  if (n.enum) return n.enum[0];
  if (n.anyOf?.[0] ?? n.oneOf?.[0]) return sample((n.anyOf ?? n.oneOf)![0]!, depth);
  switch (typeOf(n)) {
    case 'object': {
      const value: Record<string, unknown> = {};
      if (depth < 6) for (const name of n.required ?? []) value[name] = sample(n.properties?.[name] ?? {}, depth + 1);
      return value;
    }
    case 'array':
      return depth < 6 && n.items ? Array.from({ length: n.minItems ?? 0 }, () => sample(n.items!, depth + 1)) : [];
    case 'integer':
    case 'number':
      return Math.max(n.minimum ?? 1, Math.min(n.maximum ?? 1, 1));
    case 'boolean':
      return false;
    case 'string':
      if (n.format === 'date') return '2026-03-02';
      if (n.format === 'date-time') return '2026-03-02T09:00:00Z';
      if (n.format === 'uri') return 'https://example.com/hook';
      if (n.format === 'email') return 'a@example.com';
      if (n.format === 'currency') return 'EUR';
      if (n.format === 'time-zone') return 'Europe/Paris';
      return 'x'.repeat(Math.max(1, n.minLength ?? 1));
    default:
      return null;
  }
}

/** JSON pointers of every string member of the schema (array items as `/0`, map keys as `/*`). */
export function stringFields(node: SchemaNode, at = '', depth = 0): string[] {
  const n = resolve(node);
  const type = typeOf(n);
  if (type === 'string' || type === 'enum') return [at];
  if (depth > 5) return [];
  if (type === 'array' && n.items) return stringFields(n.items, `${at}/0`, depth + 1);
  if (type === 'object') {
    const out = Object.entries(n.properties ?? {}).flatMap(([name, child]) =>
      stringFields(child, `${at}/${name}`, depth + 1),
    );
    // Free-form maps (metadata) take any key: a key is text too (`/*` stands for "a key of this map").
    if (typeof n.additionalProperties === 'object') out.push(`${at}/*`);
    return out;
  }
  return [];
}

/** `body` with `value` written at `pointer`, creating objects and one-item arrays on the way. */
export function withValueAt(body: unknown, pointer: string, value: unknown): unknown {
  const root = structuredClone(body ?? {}) as Record<string, unknown>;
  const parts = pointer.split('/').slice(1);
  let target: Record<string, unknown> = root;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) {
      target[part] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(parts[i + 1]!);
    const existing = target[part];
    if (typeof existing !== 'object' || existing === null) target[part] = nextIsIndex ? [{}] : {};
    else if (nextIsIndex && Array.isArray(existing) && existing.length === 0) existing.push({});
    target = target[part] as Record<string, unknown>;
  });
  return root;
}

/** A well-formed id for a path parameter (one that does not exist). */
export const FAKE_ID = 'inv_01h455vb4pex5vsknk084sn02q';

/** Fills `{param}`s of the path: `values[name]`, else a plausible value from its schema. */
export function fillPath(op: Operation, values: Record<string, string> = {}): string {
  return op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (name in values) return encodeURIComponent(values[name]!);
    const schema = op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema ?? {};
    if (schema.enum) return String(schema.enum[0]);
    if (schema.pattern) return 'first_step';
    if (name === 'email') return 'a%40example.com';
    return FAKE_ID;
  });
}
