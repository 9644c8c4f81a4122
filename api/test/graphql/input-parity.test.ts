import { readFileSync } from 'node:fs';
import { buildSchema, getNamedType, isInputObjectType, type GraphQLInputType } from 'graphql';
import t from 'tap';
import { openapi, operations, resolve, type SchemaNode } from '../helpers/openapi.ts';

// REST and GraphQL are two faces of the same calls: every input a REST write operation takes
// (path parameters and body fields, nested ones included) has a GraphQL counterpart in the
// mutation of the same name, and the reverse, unless listed below with the reason.
// Read from the committed OpenAPI document and SDL (both generated; drift-checked).

/** REST write operations GraphQL does not offer, on purpose. */
const REST_ONLY_OPERATIONS: Record<string, string> = {
  createApiKey: 'key management stays in REST and the CLI: a secret shown once',
  revokeApiKey: 'key management stays in REST and the CLI',
  setAccountSender:
    "a provider's secret key stays in REST, out of GraphQL documents and their logs (Account.sender reads it)",
  deleteAccountSender: 'managed with its key, in REST',
  previewTemplate: 'a rendering tool, not a change',
  importBankTransactionsFile: 'a file upload (CSV, CAMT.053, OFX): GraphQL takes parsed lines (importBankTransactions)',
};

/** The GraphQL mutation of a REST operation whose name differs. */
const MUTATION_NAMED: Record<string, string> = { createPayment: 'recordPayment' };

const invoiceInPath: [string, string, string] = [
  'id',
  'invoiceId',
  'the invoice is the path id in REST, named in GraphQL',
];
const minBalance: Array<[string | null, string | null, string]> = [
  [
    null,
    'minBalance.amount',
    'REST writes min_balance as a map {"EUR": 500}; GraphQL, having no maps, as a list of amounts',
  ],
  [null, 'minBalance.currency', 'the same list'],
];

/** Inputs spelled differently, or present on one side only, on purpose: `operation: [[rest, graphql, why]]`. */
const INTENDED: Record<string, Array<[string | null, string | null, string]>> = {
  openDispute: [invoiceInPath],
  recordEinvoiceStatus: [invoiceInPath],
  waiveInvoiceFee: [invoiceInPath],
  createPaymentPlan: [invoiceInPath],
  createReminderPolicy: minBalance,
  updateReminderPolicy: minBalance,
  updateAccount: [
    [
      null,
      'riskThresholds.largeOverdue.amount',
      'REST writes large_overdue as a map {"EUR": 500000}; GraphQL as a list of amounts',
    ],
    [null, 'riskThresholds.largeOverdue.currency', 'the same list'],
    [
      null,
      'portalPlanMinInstallment.amount',
      'REST writes portal_plan_min_installment as a map {"EUR": 5000}; GraphQL as a list of amounts',
    ],
    [null, 'portalPlanMinInstallment.currency', 'the same list'],
  ],
};

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Every input path of a REST body schema, camelCased: `lineItems`, `lineItems.description`. */
function restFields(node: SchemaNode | undefined, at = '', depth = 0): string[] {
  if (!node || depth > 4) return [];
  const n = resolve(node);
  const inner =
    n.type === 'array' && n.items
      ? resolve(n.items)
      : (n.anyOf?.map(resolve).find((b) => b.properties || b.items) ?? n);
  const object = inner.type === 'array' && inner.items ? resolve(inner.items) : inner;
  if (!object.properties || (at && typeof object.additionalProperties === 'object')) return [];
  return Object.entries(object.properties).flatMap(([name, child]) => {
    const path = at ? `${at}.${camel(name)}` : camel(name);
    return name === 'metadata' ? [path] : [path, ...restFields(child, path, depth + 1)];
  });
}

function graphqlFields(type: GraphQLInputType, at = '', depth = 0): string[] {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || depth > 4) return [];
  return Object.values(named.getFields()).flatMap((field) => {
    const path = at ? `${at}.${field.name}` : field.name;
    return field.name === 'metadata' ? [path] : [path, ...graphqlFields(field.type, path, depth + 1)];
  });
}

t.test('every REST input has its GraphQL counterpart, and the reverse', async (t) => {
  const sdl = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));
  const mutations = sdl.getMutationType()!.getFields();
  let compared = 0;
  for (const op of operations().filter((o) => o.method !== 'GET')) {
    const mutation = mutations[MUTATION_NAMED[op.operationId] ?? op.operationId];
    if (!mutation) {
      t.ok(
        REST_ONLY_OPERATIONS[op.operationId],
        `${op.operationId}: no GraphQL mutation of that name (list it with a reason if intended)`,
      );
      continue;
    }
    const rest = new Set([
      ...op.parameters.filter((p) => p.in === 'path' || p.in === 'query').map((p) => camel(p.name)),
      ...restFields(op.body),
    ]);
    const graphql = new Set(
      mutation.args.flatMap((arg) =>
        arg.name === 'input' ? graphqlFields(arg.type) : [arg.name, ...graphqlFields(arg.type, arg.name)],
      ),
    );
    for (const [restName, graphqlName] of INTENDED[op.operationId] ?? []) {
      if (restName) rest.delete(restName);
      if (graphqlName) graphql.delete(graphqlName);
    }
    t.same([...rest].filter((f) => !graphql.has(f)).sort(), [], `${op.operationId}: REST inputs missing in GraphQL`);
    t.same([...graphql].filter((f) => !rest.has(f)).sort(), [], `${op.operationId}: GraphQL inputs missing in REST`);
    compared++;
  }
  t.ok(compared > 40, `${compared} operations compared`);
  t.ok(Object.keys(openapi.paths).length > 40);
});
