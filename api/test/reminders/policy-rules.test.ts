import t from 'tap';
import { ManualClock } from '../../src/clock.ts';
import { setupApp, type TestAccount } from '../helpers/app.ts';
import { graphqlClient } from '../graphql/client.ts';

t.test(
  'policies by rule: first match at planning, own policies first, replanned on risk and rule changes',
  async (t) => {
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const ctx = await setupApp(t, { clock });
    const acme = await ctx.createAccount({ name: 'Acme', time_zone: 'Europe/Paris' });
    const other = await ctx.createAccount({ name: 'Other', time_zone: 'Europe/Paris' });
    const call = (who: TestAccount, method: string, url: string, payload?: object) =>
      ctx.app.inject({ method: method as 'GET', url, headers: who.auth, ...(payload !== undefined && { payload }) });
    const policy = async (who: TestAccount, name: string, offset: number, template: string) => {
      const res = await call(who, 'POST', '/v1/reminder_policies', {
        name,
        steps: [{ offset_days: offset, channel: 'email', template_key: template }],
      });
      t.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const strict = await policy(acme, 'Strict', 2, 'overdue_firm');
    const gentle = await policy(acme, 'Gentle', 20, 'overdue_friendly');
    const [standard] = (await call(acme, 'GET', '/v1/reminder_policies?limit=1')).json().data;
    const standardOffsets = standard.steps.map((s: { offset_days: number }) => s.offset_days);
    const customer = async (name: string, extra: object = {}) =>
      (
        await call(acme, 'POST', '/v1/customers', { name, email: `${name.replace(/\W/g, '')}@example.com`, ...extra })
      ).json().id as string;
    const invoice = async (customerId: string, number: string, currency: string, subtotal: number, extra = {}) => {
      const res = await call(acme, 'POST', '/v1/invoices', {
        number,
        customer_id: customerId,
        currency,
        subtotal,
        issue_date: '2026-06-01',
        due_date: '2026-06-30',
        ...extra,
      });
      t.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const plan = async () => {
      await ctx.services.reminders.scheduler.prepare({ kind: 'live', now: clock.now() });
      await ctx.services.reminders.scheduler.prepare({ kind: 'live', now: clock.now() });
    };
    /** The offsets an invoice's pending reminders are planned at: which policy it follows. */
    const offsets = async (invoiceId: string) =>
      (await call(acme, 'GET', `/v1/invoices/${invoiceId}/timeline`))
        .json()
        .reminders.filter((r: { status: string }) => r.status === 'scheduled')
        .map((r: { offset_days: number }) => r.offset_days);

    const rules = await call(acme, 'PATCH', '/v1/account', {
      policy_rules: [
        { policy_id: strict, risk_levels: ['high', 'critical'] },
        { policy_id: gentle, currencies: ['GBP'], amount_max: 100000 },
      ],
    });
    t.equal(rules.statusCode, 200, rules.body);
    t.same(rules.json().policy_rules, [
      { policy_id: strict, risk_levels: ['high', 'critical'] },
      { policy_id: gentle, currencies: ['GBP'], amount_max: 100000 },
    ]);

    const low = await customer('Low SARL');
    const owner = await customer('Own Policy SA', { reminder_policy_id: standard.id });
    const risky = await customer('Risky SAS');
    const small = await invoice(low, 'A-1', 'GBP', 50000);
    const large = await invoice(low, 'A-2', 'GBP', 500000);
    const euro = await invoice(low, 'A-3', 'EUR', 10000);
    const own = await invoice(owner, 'B-1', 'GBP', 1000);
    const ownInvoice = await invoice(risky, 'C-1', 'EUR', 10000, { reminder_policy_id: gentle });
    const riskyInvoice = await invoice(risky, 'C-2', 'EUR', 10000);
    await plan();

    t.same(await offsets(small), [20], 'GBP under the cap: the second rule');
    t.same(await offsets(large), standardOffsets, 'over the cap: no rule, the account default');
    t.same(await offsets(euro), standardOffsets);
    t.same(await offsets(own), standardOffsets, "the customer's own policy beats the rules");
    t.same(await offsets(riskyInvoice), standardOffsets, 'low risk yet');

    t.test('a change of risk replans the customer: the first rule now matches', async (t) => {
      const set = await call(acme, 'PUT', `/v1/customers/${risky}/risk/override`, {
        level: 'high',
        reason: 'Court case',
      });
      t.equal(set.statusCode, 200, set.body);
      await plan();
      t.same(await offsets(riskyInvoice), [2]);
      t.same(await offsets(ownInvoice), [20], "the invoice's own policy beats the rules");
      await call(acme, 'DELETE', `/v1/customers/${risky}/risk/override`);
      await plan();
      t.same(await offsets(riskyInvoice), standardOffsets, 'back to the default when lifted');
    });

    t.test('changing the rules replans the open invoices they may move', async (t) => {
      const res = await call(acme, 'PATCH', '/v1/account', {
        policy_rules: [{ policy_id: strict, amount_min: 400000 }],
      });
      t.equal(res.statusCode, 200, res.body);
      const pending = (await call(acme, 'GET', `/v1/reminder_policies/${strict}`)).json();
      t.equal(pending.invoices_to_replan, 1, 'the policy knows the invoice it now applies to');
      await plan();
      t.same(await offsets(large), [2]);
      t.same(await offsets(small), standardOffsets);
      const cleared = await call(acme, 'PATCH', '/v1/account', { policy_rules: [] });
      t.same(cleared.json().policy_rules, []);
      await plan();
      t.same(await offsets(large), standardOffsets);
    });

    t.test('rules are checked: policies of this account, sensible bounds', async (t) => {
      const theirs = await policy(other, 'Theirs', 5, 'overdue_firm');
      const unknown = await call(acme, 'PATCH', '/v1/account', {
        policy_rules: [{ policy_id: gentle }, { policy_id: theirs, currencies: ['EUR'] }],
      });
      t.equal(unknown.statusCode, 422);
      t.match(unknown.json(), {
        code: 'account/unknown_policy',
        errors: [{ field: '/policy_rules/1/policy_id' }],
      });
      const bounds = await call(acme, 'PATCH', '/v1/account', {
        policy_rules: [{ policy_id: gentle, amount_min: 500, amount_max: 100 }],
      });
      t.equal(bounds.statusCode, 422);
      t.equal(bounds.json().code, 'account/invalid_policy_rule');
      const level = await call(acme, 'PATCH', '/v1/account', {
        policy_rules: [{ policy_id: gentle, risk_levels: ['dire'] }],
      });
      t.equal(level.statusCode, 400);
      t.same((await call(acme, 'GET', '/v1/account')).json().policy_rules, [], 'nothing stored by a refused change');
      await call(acme, 'PATCH', '/v1/account', { policy_rules: [{ policy_id: gentle, customer_kinds: ['consumer'] }] });
      const inUse = await call(acme, 'DELETE', `/v1/reminder_policies/${gentle}`);
      t.equal(inUse.statusCode, 409);
      t.equal(inUse.json().code, 'reminder_policy/in_use');
    });

    t.test('GraphQL: the account shows its rules and thresholds, updateAccount sets them', async (t) => {
      const gql = graphqlClient(ctx, acme.auth);
      const set = await gql(
        `mutation ($rules: [PolicyRuleInput!]!) { updateAccount(input: { policyRules: $rules }) { policyRules { policyId riskLevels currencies amountMin amountMax } } }`,
        {
          rules: [
            { policyId: strict, riskLevels: ['CRITICAL'] },
            { policyId: gentle, currencies: ['GBP'], amountMax: 100000 },
          ],
        },
      );
      t.same(set.errors, undefined);
      t.same(set.data, {
        updateAccount: {
          policyRules: [
            { policyId: strict, riskLevels: ['CRITICAL'], currencies: null, amountMin: null, amountMax: null },
            { policyId: gentle, riskLevels: null, currencies: ['GBP'], amountMin: null, amountMax: 100000 },
          ],
        },
      });
      t.same((await call(acme, 'GET', '/v1/account')).json().policy_rules, [
        { policy_id: strict, risk_levels: ['critical'] },
        { policy_id: gentle, currencies: ['GBP'], amount_max: 100000 },
      ]);
      const th = await gql(
        `mutation { updateAccount(input: { riskThresholds: { unansweredReminders: 4, largeOverdue: [{ currency: "EUR", amount: 90000 }] } }) { riskThresholds { unansweredReminders brokenPromises largeOverdue { currency amount } } } }`,
      );
      t.same(th.data, {
        updateAccount: {
          riskThresholds: {
            unansweredReminders: 4,
            brokenPromises: 1,
            largeOverdue: [{ currency: 'EUR', amount: 90000 }],
          },
        },
      });
      const bad = await gql(
        `mutation ($rules: [PolicyRuleInput!]!) { updateAccount(input: { policyRules: $rules }) { id } }`,
        {
          rules: [{ policyId: 'rp_00000000000000000000000000' }],
        },
      );
      t.equal(bad.errors?.[0]?.extensions?.code, 'account/unknown_policy');
    });
  },
);
