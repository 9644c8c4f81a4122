import { randomBytes } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { redactPortalUrl } from './domain/portal/index.ts';
import { portalRoutes } from './http/routes/portal.routes.ts';
import querystring from 'node:querystring';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { registerGraphiql } from './graphql/graphiql.ts';
import { sendersFromConfig } from './mail/senders.ts';
import { registerGraphql } from './graphql/plugin.ts';
import { registerAuth } from './http/auth.ts';
import { healthRoutes } from './http/health.ts';
import { registerIdempotency } from './http/idempotency.ts';
import { registerInputGuard } from './http/input-guard.ts';
import { lazySerializers } from './http/lazy-serializers.ts';
import { lazyValidator } from './http/lazy-validators.ts';
import { registerOpenApi } from './http/openapi.ts';
import { Problem, registerProblemHandlers, sendProblem } from './http/problem.ts';
import { accountRoutes } from './http/routes/v1/account.routes.ts';
import { customerRoutes } from './http/routes/v1/customers.routes.ts';
import { disputeRoutes } from './http/routes/v1/disputes.routes.ts';
import { paymentClaimRoutes } from './http/routes/v1/payment-claims.routes.ts';
import { einvoicingRoutes } from './http/routes/v1/einvoicing.routes.ts';
import { eventRoutes } from './http/routes/v1/events.routes.ts';
import { invoiceRoutes } from './http/routes/v1/invoices.routes.ts';
import { lateFeeRoutes } from './http/routes/v1/late-fees.routes.ts';
import { smsRoutes } from './http/routes/v1/sms.routes.ts';
import { createSmsTransport } from './sms/transport.ts';
import { messageRoutes } from './http/routes/v1/messages.routes.ts';
import { pauseRoutes } from './http/routes/v1/pauses.routes.ts';
import { paymentTermsRoutes } from './http/routes/v1/payment-terms.routes.ts';
import { paymentRoutes } from './http/routes/v1/payments.routes.ts';
import { paymentPlanRoutes } from './http/routes/v1/payment-plans.routes.ts';
import { bankTransactionRoutes } from './http/routes/v1/bank-transactions.routes.ts';
import { bankStatementRoutes } from './http/routes/v1/bank-statements.routes.ts';
import { reportRoutes } from './http/routes/v1/reports.routes.ts';
import { reminderRoutes } from './http/routes/v1/reminders.routes.ts';
import { taskRoutes } from './http/routes/v1/tasks.routes.ts';
import { documentRoutes } from './http/routes/v1/documents.routes.ts';
import { templateRoutes } from './http/routes/v1/templates.routes.ts';
import { webhookRoutes } from './http/routes/v1/webhooks.routes.ts';
import { metrics } from './metrics.ts';
import { PUBLIC_SCHEMAS } from './public-schemas.ts';
import { createServices, type Services } from './services.ts';
import type { Database } from './store/database.ts';
import { bodyAjv, queryAjv } from './validation.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Query strings as integrators write them (Stripe's style): `expand[]=a&expand[]=b` is the list
 * `expand`, `metadata[order]=42` the object `metadata`. Other keys are as Node parses them.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(querystring.parse(text))) {
    const list = /^([a-z_]+)\[\]$/.exec(key);
    const member = /^([a-z_]+)\[([^\]]{1,64})\]$/.exec(key);
    if (list?.[1]) out[list[1]] = [...((out[list[1]] as string[] | undefined) ?? []), ...[value ?? []].flat()];
    else if (member?.[1] && member[2]) {
      out[member[1]] ??= Object.create(null);
      const object = out[member[1]] as Record<string, unknown>;
      if (typeof object === 'object' && !Array.isArray(object)) object[member[2]] = value;
    } else out[key] = value;
  }
  return out;
}

/** Builds the HTTP app (REST + GraphQL) without listening: `server.ts` listens, tests inject. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // A customer page's URL holds its token: logged as `/p/[token]`.
      serializers: {
        req: (request) => ({
          method: request.method,
          url: redactPortalUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomBytes(10).toString('hex')}`;
    },
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseQueryString },
    // A path that does not decode (`%FF`, a lone surrogate's bytes) is refused before routing: as a problem document too.
    frameworkErrors: (_error, request, reply) =>
      void sendProblem(
        request,
        reply,
        new AppError('request/malformed', 400, 'The request URL is not valid percent-encoded UTF-8.'),
      ),
    // Responses are serialized, not validated: our custom string formats need no checking there.
    serializerOpts: { ajv: { formats: { 'time-zone': true, currency: true } } },
    schemaController: lazySerializers,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Labelled by the route's pattern (`/v1/invoices/:id`), never the path: bounded cardinality.
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  // One validator for REST and the services: bodies strict, query strings coerced.
  app.setValidatorCompiler(
    ({ schema, httpPart }) =>
      lazyValidator(() => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema as object)) as never,
  );
  for (const schema of [Problem, ...PUBLIC_SCHEMAS]) app.addSchema(schema);

  let forgetAccount = (_accountId: string) => {};
  const services = createServices({
    database,
    clock,
    onAccountChanged: (id) => forgetAccount(id),
    senders: sendersFromConfig(config, database),
    sms: { transport: createSmsTransport(config), sender: config.smsSender ?? null },
    webhookTargets: {
      allowPrivateTargets: config.webhooksAllowPrivateTargets,
      testModeLoopback: config.env === 'development',
    },
    portal: { publicUrl: config.publicUrl },
    reminderRetryMs: config.reminderRetrySeconds * 1000,
  });
  registerProblemHandlers(app);
  registerInputGuard(app);
  if (config.env === 'development') await registerGraphiql(app);
  forgetAccount = registerAuth(app, services.apiKeys).forgetAccount;

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.actor?.keyId ?? request.ip,
    allowList: (request) => !request.actor,
    errorResponseBuilder: (_request, context) => {
      const error = new AppError(
        'rate_limit/exceeded',
        429,
        `Too many requests: at most ${context.max} a minute per API key.`,
        {
          headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
        },
      );
      return error;
    },
  });
  registerIdempotency(app, services.idempotency);

  await registerOpenApi(app, { publicUrl: config.publicUrl });
  await app.register(healthRoutes, {
    database,
    // A rate the operator has not recorded: interest assumes it unchanged, so say it, without refusing traffic.
    warnings: async () =>
      (await services.lateFees.checkReferenceRates()).missing.map((m) => ({
        code: 'reference_rate/missing',
        message: m.message,
        source: m.source,
        period: m.period,
        reference_date: m.reference_date,
      })),
  });
  for (const routes of [
    accountRoutes,
    customerRoutes,
    paymentTermsRoutes,
    invoiceRoutes,
    templateRoutes,
    reminderRoutes,
    taskRoutes,
    documentRoutes,
    disputeRoutes,
    paymentClaimRoutes,
    einvoicingRoutes,
    pauseRoutes,
    eventRoutes,
    paymentRoutes,
    lateFeeRoutes,
    paymentPlanRoutes,
    bankStatementRoutes,
    bankTransactionRoutes,
    reportRoutes,
  ]) {
    await app.register(routes, { services });
  }
  await app.register(webhookRoutes, { services });
  await app.register(portalRoutes, {
    services,
    perAddress: config.portalRateLimitPerMinute,
    secure: config.publicUrl.startsWith('https:'),
  });
  await app.register(messageRoutes, { services, resendWebhookSecret: config.resendWebhookSecret });
  await app.register(smsRoutes, { services, twilioAuthToken: config.twilioAuthToken, publicUrl: config.publicUrl });
  await registerGraphql(app, { services, config });
  return Object.assign(app as FastifyInstance, { services });
}
