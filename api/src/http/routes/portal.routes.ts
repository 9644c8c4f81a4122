import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addDays } from '../../domain/calendar.ts';
import type { PortalVisit } from '../../domain/portal/index.ts';
import { customerStatementPdf } from '../statement.ts';
import { AppError } from '../../errors.ts';
import {
  type Answer,
  type Notice,
  renderInvoicePage,
  renderNotFoundPage,
  renderPortalPage,
} from '../../portal/page.ts';
import { PageCache } from '../../portal/page-cache.ts';
import type { Services } from '../../services.ts';

const CSRF_COOKIE = 'relance_portal_csrf';
const ANSWERS = ['promise', 'dispute', 'message', 'claim', 'plan'] as const;
const DONE: readonly Answer[] = [...ANSWERS, 'plan_request'];

type Form = Record<string, string | undefined>;

const newValue = () => randomBytes(16).toString('base64url');

/** Bytes of overviews kept rendered per process (HTML and gzip). */
const OVERVIEW_CACHE_BYTES = 32 * 1024 * 1024;

/** The anti-forgery cookie of the request, if any (no cookie library for one value). */
function csrfCookie(request: FastifyRequest): string | null {
  const header = request.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${CSRF_COOKIE}=([A-Za-z0-9_-]{22})(?:;|$)`).exec(header);
  return match?.[1] ?? null;
}

const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
};

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The debtor's page (docs/portal.md): `/p/<token>`, its statement, and the customer's answers
 * (a promise to pay, a dispute, a message), each through the same services as the API. No API
 * key: the token is the credential, so every answer carries no-store, no-referrer (the token never
 * leaves for a payment site in a Referer) and a strict Content-Security-Policy; unknown, revoked
 * and expired links all get the same 404 page. Forms carry an anti-forgery value that must match
 * the visitor's cookie, and a submission id under which a second post replays the first.
 */
export async function portalRoutes(
  app: FastifyInstance,
  {
    services,
    perAddress,
    secure,
  }: {
    services: Services /** Visits a minute per address; per link, twice that. */;
    perAddress: number /** Cookies only over HTTPS. */;
    secure: boolean;
  },
) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const send = (reply: FastifyReply, status: number, page: { csp: string; html: string | Buffer }) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', page.csp)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex')
      .send(page.html);

  const limit = (perKey: 'ip' | 'token') =>
    app.rateLimit({
      max: perKey === 'ip' ? perAddress : 2 * perAddress,
      timeWindow: 60_000,
      allowList: () => false,
      keyGenerator: (request: { ip: string; url: string }) =>
        perKey === 'ip' ? `portal-ip:${request.ip}` : `portal-link:${/\/p\/([^/?#]+)/.exec(request.url)?.[1] ?? ''}`,
    });
  const limits = [limit('ip'), limit('token')];

  /** An invoice's page, with the visitor's anti-forgery cookie (kept, or set); a 404 page when it is not the customer's. */
  async function invoicePage(
    request: FastifyRequest,
    reply: FastifyReply,
    visit: PortalVisit,
    token: string,
    invoiceId: string,
    status: number,
    notice?: Notice,
  ) {
    const data = await services.portal.invoicePage(visit, invoiceId);
    if (!data) return send(reply, 404, renderNotFoundPage());
    let csrf = csrfCookie(request);
    if (!csrf) {
      csrf = newValue();
      reply.header(
        'set-cookie',
        `${CSRF_COOKIE}=${csrf}; Path=/p/${token}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
    }
    return send(reply, status, renderInvoicePage(data, { base: `/p/${token}`, csrf, submission: newValue, notice }));
  }

  // The overview of a link as last rendered, while nothing it shows has changed (`visit.version`):
  // a customer who reloads, or many visitors of a link shared in a company, cost one statement.
  const overviews = new PageCache(OVERVIEW_CACHE_BYTES);

  app.get<{ Params: { token: string } }>('/p/:token', {
    schema: { hide: true },
    preHandler: limits,
    handler: async (request, reply) => {
      const { token } = request.params;
      const visit = await services.portal.resolve(token);
      if (!visit) return send(reply, 404, renderNotFoundPage());
      await services.portal.viewed(visit);
      let cached = overviews.get(visit.linkId, visit.version);
      if (!cached) {
        const overview = await services.portal.overview(visit);
        const page = renderPortalPage(overview, { statement: `/p/${token}/statement.pdf`, base: `/p/${token}` });
        cached = overviews.set(visit.linkId, visit.version, page);
      }
      reply.header('vary', 'accept-encoding');
      if (!/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return send(reply, 200, cached);
      reply.header('content-encoding', 'gzip');
      return send(reply, 200, { csp: cached.csp, html: cached.gzipped });
    },
  });

  app.get<{ Params: { token: string; invoice: string }; Querystring: { done?: string } }>(
    '/p/:token/invoices/:invoice',
    {
      schema: { hide: true },
      preHandler: limits,
      handler: async (request, reply) => {
        const { token, invoice } = request.params;
        const visit = await services.portal.resolve(token);
        if (!visit) return send(reply, 404, renderNotFoundPage());
        await services.portal.viewed(visit);
        const done = DONE.find((a) => a === request.query.done);
        return invoicePage(request, reply, visit, token, invoice, 200, done ? { kind: 'done', what: done } : undefined);
      },
    },
  );

  app.post<{ Params: { token: string; invoice: string; answer: string }; Body: Form }>(
    '/p/:token/invoices/:invoice/:answer',
    {
      schema: { hide: true },
      preHandler: limits,
      handler: async (request, reply) => {
        const { token, invoice, answer } = request.params;
        const visit = await services.portal.resolve(token);
        const what = ANSWERS.find((a) => a === answer);
        if (!visit || !what || !(await services.portal.ownInvoice(visit, invoice)))
          return send(reply, 404, renderNotFoundPage());
        const form: Form = request.body && typeof request.body === 'object' ? request.body : {};
        // A form of this page only: the cookie and the field must match, and a browser's Origin, if sent, is ours.
        const cookie = csrfCookie(request);
        const origin = request.headers.origin;
        // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null`: then the cookie
        // (SameSite=Strict, so never sent from another site) and the form's value decide alone.
        const ownOrigin = origin === undefined || origin === 'null' || hostOf(origin) === request.headers.host;
        if (!cookie || !form.csrf || !same(cookie, form.csrf) || !ownOrigin)
          return invoicePage(request, reply, visit, token, invoice, 403, {
            kind: 'error',
            lines: ['The form expired or did not come from this page: please try again.'],
          });
        const actor = services.portal.writer(visit);
        const submission = /^[A-Za-z0-9_-]{22}$/.test(form.submission ?? '') ? form.submission : null;
        const key = submission ? `portal:${visit.linkId}:${submission}` : null;
        const hash = createHash('sha256')
          .update(`${invoice} ${what} ${JSON.stringify(form)}`)
          .digest('hex');
        const answered = (location: string) =>
          reply.code(303).header('location', location).header('referrer-policy', 'no-referrer').send();
        const page = `/p/${token}/invoices/${encodeURIComponent(invoice)}`;
        try {
          const started = key ? await services.idempotency.start(actor, key, hash) : null;
          if (started?.kind === 'replay') return answered(started.body);
        } catch (error) {
          // The same form still being handled (a double click): the first one answers for both.
          if (error instanceof AppError && error.status === 409) return answered(page);
          throw error;
        }
        let done: Answer = what;
        try {
          if (what === 'promise') {
            await services.portal.checkPromiseDate(visit, form.date ?? '');
            await services.pauses.setPromise(actor, invoice, { date: form.date ?? '', note: 'From the customer page' });
          } else if (what === 'dispute') {
            await services.disputes.open(actor, invoice, {
              reason: form.reason ?? '',
              ...(form.note?.trim() ? { note: form.note.trim() } : {}),
            });
          } else if (what === 'claim') {
            await services.portal.claimPayment(visit, invoice, form);
          } else if (what === 'plan') {
            const plan = await services.portal.requestPlan(visit, invoice, form);
            done = plan.kind === 'agreed' ? 'plan' : 'plan_request';
          } else await services.portal.message(visit, invoice, form.message ?? '');
        } catch (error) {
          if (key) await services.idempotency.release(actor, key);
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          const lines = error.errors?.length
            ? error.errors.map((e) => `${e.field.replace(/^\//, '')}: ${e.message}`)
            : [];
          return invoicePage(request, reply, visit, token, invoice, 422, {
            kind: 'error',
            lines: [error.message, ...lines],
          });
        }
        const location = `${page}?done=${done}`;
        if (key) await services.idempotency.complete(actor, key, 303, location);
        return answered(location);
      },
    },
  );

  app.get<{ Params: { token: string } }>('/p/:token/statement.pdf', {
    schema: { hide: true },
    preHandler: limits,
    handler: async (request, reply) => {
      const visit = await services.portal.resolve(request.params.token);
      if (!visit) return send(reply, 404, renderNotFoundPage());
      const { actor, customerId } = visit;
      const statement = await services.reports.statement(actor, customerId, {
        from: addDays(visit.today, -365),
        to: visit.today,
      });
      const pdf = await customerStatementPdf(services, actor, statement);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="statement-${visit.today}.pdf"`)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .send(pdf);
    },
  });
}
