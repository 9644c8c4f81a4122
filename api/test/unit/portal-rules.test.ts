import t from 'tap';
import { planBeyondRules, typedAmount } from '../../src/domain/portal/portal.rules.ts';

t.test('amounts as people type them', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['80', '80'],
    ['1234.5', '1234.5'],
    ['1 234,56', '1234.56'],
    ['1\u202f234,56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['1,234.56', '1234.56'],
    ["1'234.56", '1234.56'],
    ['12,5', '12.5'],
    ['', null],
    ['-5', null],
    ['12€', null],
    ['1e3', null],
    ['1,2,3', null],
  ];
  for (const [input, expected] of cases) t.equal(typedAmount(input), expected, JSON.stringify(input));
});

t.test('a plan within the rules needs nobody; each rule broken is named', async (t) => {
  const plan = [
    { due_date: '2026-06-01', amount: 4000 },
    { due_date: '2026-07-01', amount: 4000 },
    { due_date: '2026-08-01', amount: 4001 },
  ];
  const rules = { maxInstallments: 3, lastDay: '2026-08-01', minInstallment: 4000 };
  t.same(planBeyondRules(plan, rules), []);
  t.match(planBeyondRules(plan, { ...rules, maxInstallments: 2 }), [/3 installments asked, 2 allowed/]);
  t.match(planBeyondRules(plan, { ...rules, lastDay: '2026-07-31' }), [/2026-08-01, after 2026-07-31/]);
  t.match(planBeyondRules(plan, { ...rules, minInstallment: 4001 }), [/4000 .* below the minimum of 4001/]);
  t.equal(planBeyondRules(plan, { maxInstallments: 0, lastDay: '2026-01-01', minInstallment: 9999 }).length, 3);
});
