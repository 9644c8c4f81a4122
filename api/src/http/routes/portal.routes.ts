import type { FastifyInstance, FastifyReply } from 'fastify';
import { addDays } from '../../domain/calendar.ts';
import { statementPdf } from '../../documents/statement-pdf.ts';
import { renderNotFoundPage, renderPortalPage, type RenderedPage } from '../../portal/page.ts';
import type { Services } from '../../services.ts';

/**
 * The debtor's page (docs/portal.md): `/p/<token>` and its statement. No API key: the token is
 * the credential, so every answer carries no-store, no-referrer (the token never leaves for a
 * payment site in a Referer) and a strict Content-Security-Policy; unknown, revoked and expired
 * links all get the same 404 page.
 */
export async function portalRoutes(
  app: FastifyInstance,
  {
    services,
    perAddress,
  }: { services: Services /** Visits a minute per address; per link, twice that. */; perAddress: number },
) {
  const send = (reply: FastifyReply, status: number, page: RenderedPage) =>
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

  app.get<{ Params: { token: string } }>('/p/:token', {
    schema: { hide: true },
    preHandler: limits,
    handler: async (request, reply) => {
      const visit = await services.portal.resolve(request.params.token);
      if (!visit) return send(reply, 404, renderNotFoundPage());
      const overview = await services.portal.overview(visit);
      await services.portal.viewed(visit);
      return send(reply, 200, renderPortalPage(overview, { statement: `/p/${request.params.token}/statement.pdf` }));
    },
  });

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
      const [account, customer] = await Promise.all([
        services.accounts.get(actor),
        services.customers.get(actor, customerId),
      ]);
      const language = (customer.locale ?? account.locale ?? 'en').slice(0, 2).toLowerCase();
      const pdf = await statementPdf(statement, { account, customer, locale: language === 'fr' ? 'fr' : 'en' });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="statement-${visit.today}.pdf"`)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .send(pdf);
    },
  });
}
