import t from 'tap';
import { layers, moduleCycles } from '../../../scripts/check-modules.ts';

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([m, deps]) => [m, new Set(deps)]));

t.test('a graph without cycles has none, and its layers put each module after its dependencies', async (t) => {
  const g = graph({
    shared: [],
    outbox: [],
    invoices: ['shared', 'outbox'],
    payments: ['invoices', 'outbox'],
    reminders: ['invoices', 'payments'],
  });
  t.same(moduleCycles(g), []);
  t.same(layers(g), [['outbox', 'shared'], ['invoices'], ['payments'], ['reminders']]);
});

t.test('a cycle through modules is found, with every module in it', async (t) => {
  const g = graph({
    shared: [],
    invoices: ['shared', 'reminders'],
    payments: ['invoices'],
    reminders: ['payments'],
    tasks: ['invoices'],
  });
  t.same(moduleCycles(g), [['invoices', 'payments', 'reminders']]);
  t.throws(() => layers(g), /cycle/);
});

t.test('two separate cycles are two findings; a module depending on itself is one', async (t) => {
  const g = graph({ a: ['b'], b: ['a'], c: ['d'], d: ['c'], e: ['e'] });
  t.same(moduleCycles(g).sort(), [['a', 'b'], ['c', 'd'], ['e']]);
});
