import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { ROOT } from '../helpers/process.ts';

const file = (name: string) => readFileSync(path.join(ROOT, 'api/test/bank-transactions/statements', name));

const FR_CSV = {
  skip_lines: 3,
  decimal_separator: ',',
  columns: { booked_on: 'Date', label: 'Libellé', debit: 'Débit euros', credit: 'Crédit euros' },
};
const DE_CSV = {
  decimal_separator: ',',
  date_format: 'DD.MM.YY',
  columns: {
    booked_on: 'Buchungstag',
    amount: 'Betrag',
    currency: 'Waehrung',
    label: ['Buchungstext', 'Verwendungszweck'],
    counterparty_name: 'Beguenstigter/Zahlungspflichtiger',
  },
};
const UK_CSV = { currency: 'GBP', columns: { booked_on: 'Date', amount: 'Amount', label: ['Subcategory', 'Memo'] } };

t.test('bank statement files: French, UK and German CSV, camt.053, MT940', async (t) => {
  const ctx = await setupApp(t);
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call = (url: string, payload: object, who = acme) =>
    ctx.app.inject({ method: 'POST', url, headers: who.auth, payload });
  const list = async (who = acme) =>
    (await ctx.app.inject({ method: 'GET', url: '/v1/bank_transactions?limit=100', headers: who.auth })).json()
      .data as Array<{
      id: string;
      amount: number;
      currency: string;
      booked_on: string;
      label: string;
      counterparty_name: string | null;
      status: string;
      matches: Array<{ allocations: Array<{ invoice_number: string }> }>;
    }>;

  // An open invoice the French and camt.053 credits pay.
  const customer = (await call('/v1/customers', { name: 'ACME SARL', email: 'compta@acme.example' })).json();
  t.equal(
    (
      await call('/v1/invoices', {
        number: 'F-2026-0042',
        customer_id: customer.id,
        subtotal: 120000,
        issue_date: '2026-02-01',
        due_date: '2026-03-01',
      })
    ).statusCode,
    201,
  );

  t.test(
    'French CSV in windows-1252: debit and credit columns, decimal commas, account lines above the header',
    async (t) => {
      const res = await call('/v1/bank_transactions/import', {
        format: 'csv',
        content_base64: file('fr-releve.csv').toString('base64'),
        encoding: 'windows-1252',
        csv: FR_CSV,
      });
      t.equal(res.statusCode, 201, res.body);
      t.match(res.json(), { object: 'bank_transaction_import', created: 6, already_imported: 0 });
      const lines = (await list()).filter((l) => l.currency === 'EUR');
      t.same(
        lines.map((l) => l.amount).sort((a, b) => a - b),
        [-153025, -1240, -1240, 120000, 120000, 330000],
        'two identical card payments stay two lines',
      );
      const urssaf = lines.find((l) => l.amount === -153025);
      t.equal(urssaf?.label, 'PRLV SEPA URSSAF ÉCHÉANCE MARS', 'accents decoded from windows-1252');
      t.equal(urssaf?.status, 'ignored', 'debits are not customer payments');
      const acmeCredit = lines.find((l) => l.amount === 120000 && l.booked_on === '2026-03-02');
      t.equal(
        acmeCredit?.matches[0]?.allocations[0]?.invoice_number,
        'F-2026-0042',
        'lines go through the same matching',
      );
      const again = await call('/v1/bank_transactions/import', {
        format: 'csv',
        content_base64: file('fr-releve.csv').toString('base64'),
        encoding: 'windows-1252',
        csv: FR_CSV,
      });
      t.equal(again.statusCode, 200);
      t.match(again.json(), { created: 0, already_imported: 6 }, 'the same file twice imports nothing new');
    },
  );

  t.test('UK CSV: signed amounts, thousands separators, two label columns', async (t) => {
    const res = await call('/v1/bank_transactions/import', {
      format: 'csv',
      content: file('uk-statement.csv').toString('utf8'),
      csv: UK_CSV,
    });
    t.equal(res.statusCode, 201, res.body);
    const lines = (await list()).filter((l) => l.currency === 'GBP');
    t.same(lines.map((l) => [l.booked_on, l.amount, l.label]).sort(), [
      ['2026-03-02', -4599, 'DIRECT DEBIT BRITISH GAS'],
      ['2026-03-02', 99900, 'FASTER PAYMENT SMITH & JONES LTD INV-10234'],
      ['2026-03-03', 150000, 'BACS SMITH & JONES LTD INV-10235'],
    ]);
  });

  t.test('German CSV in ISO-8859-1 (Sparkasse CSV-CAMT layout), and MT940 of the same lines', async (t) => {
    const other = await ctx.createAccount({ name: 'Müller Kunde' });
    const csv = await call(
      '/v1/bank_transactions/import',
      {
        format: 'csv',
        content_base64: file('de-umsaetze.csv').toString('base64'),
        encoding: 'iso-8859-1',
        csv: DE_CSV,
      },
      other,
    );
    t.equal(csv.statusCode, 201, csv.body);
    const lines = await list(other);
    t.same(lines.map((l) => [l.booked_on, l.amount, l.counterparty_name]).sort(), [
      ['2026-03-02', 476000, 'Müller Maschinenbau GmbH'],
      ['2026-03-03', -125000, 'Hausverwaltung Größe'],
    ]);
    const mt = await call(
      '/v1/bank_transactions/import',
      { format: 'mt940', content: file('mt940.sta').toString('utf8') },
      other,
    );
    t.equal(mt.statusCode, 201, mt.body);
    const after = await list(other);
    const fromMt = after.filter((l) => !lines.some((x) => x.id === l.id));
    t.same(
      fromMt.map((l) => [l.booked_on, l.amount, l.label, l.counterparty_name]).sort(),
      [
        ['2026-03-02', 476000, 'GUTSCHRIFT RE-2026-117 Maschinenteile', 'Müller Maschinenbau GmbH'],
        ['2026-03-03', -125000, 'LASTSCHRIFT Miete März', 'Hausverwaltung Größe'],
      ],
      'field 86 read in its German structure',
    );
    t.equal(
      (await list(acme)).some((l) => l.label.includes('Maschinenteile')),
      false,
      "another account's lines stay its own",
    );
  });

  t.test('camt.053: credits, debits, a reversal, the debtor and the remittance text', async (t) => {
    const other = await ctx.createAccount({ name: 'Camt' });
    const c = (await call('/v1/customers', { name: 'ACME SARL', email: 'ap@acme.example' }, other)).json();
    await call(
      '/v1/invoices',
      { number: 'F-2026-0042', customer_id: c.id, subtotal: 120000, issue_date: '2026-02-01', due_date: '2026-03-01' },
      other,
    );
    const res = await call(
      '/v1/bank_transactions/import',
      { format: 'camt053', content: file('camt053.xml').toString('utf8') },
      other,
    );
    t.equal(res.statusCode, 201, res.body);
    const lines = await list(other);
    t.same(
      lines.map((l) => [l.amount, l.label, l.counterparty_name]).sort(),
      [
        [-153025, 'PRLV SEPA URSSAF', null],
        [-20000, 'RETOUR VIREMENT', null],
        [120000, 'Facture F-2026-0042', 'ACME SARL'],
      ],
      'a reversed credit is a debit',
    );
    t.equal(lines.find((l) => l.amount === 120000)?.matches[0]?.allocations[0]?.invoice_number, 'F-2026-0042');
  });

  t.test('a bad file imports nothing and says which line and field', async (t) => {
    const other = await ctx.createAccount({ name: 'Errors' });
    const badAmount = file('uk-statement.csv').toString('utf8').replace('1,500.00', '1,5OO.00');
    const cases: Array<[object, number, string, RegExp]> = [
      [
        { format: 'csv', content: badAmount, csv: UK_CSV },
        422,
        'bank_statement/invalid_file',
        /line 4, column 'Amount': '1,5OO.00' is not an amount/,
      ],
      [
        {
          format: 'csv',
          content: file('uk-statement.csv').toString('utf8').replace('03/03/2026', '31/02/2026'),
          csv: UK_CSV,
        },
        422,
        'bank_statement/invalid_file',
        /line 4, column 'Date': '31\/02\/2026' is not a date/,
      ],
      [
        {
          format: 'csv',
          content: file('uk-statement.csv').toString('utf8'),
          csv: { columns: { booked_on: 'Datum', amount: 'Amount', label: 'Memo' } },
        },
        422,
        'bank_statement/csv_column_missing',
        /no column 'Datum'/,
      ],
      [
        { format: 'csv', content: file('uk-statement.csv').toString('utf8') },
        400,
        'bank_statement/csv_mapping_required',
        /csv.columns/,
      ],
      [
        { format: 'csv', content_base64: file('fr-releve.csv').toString('base64'), csv: FR_CSV },
        422,
        'bank_statement/invalid_file',
        /not valid UTF-8/,
      ],
      [
        { format: 'camt053', content: '<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">12.00</Amt>' },
        422,
        'bank_statement/invalid_file',
        /not well-formed|cannot be read/,
      ],
      [
        { format: 'camt053', content: '<Document><pain.001/></Document>' },
        422,
        'bank_statement/invalid_file',
        /not a camt.053/,
      ],
      [
        {
          format: 'camt053',
          content: file('camt053.xml')
            .toString('utf8')
            .replace('<CdtDbtInd>DBIT</CdtDbtInd>', '<CdtDbtInd>DEBIT</CdtDbtInd>'),
        },
        422,
        'bank_statement/invalid_file',
        /entry 2: CdtDbtInd is 'DEBIT'/,
      ],
      [
        {
          format: 'mt940',
          content: file('mt940.sta').toString('utf8').replace(':62F:C260303EUR4510,00', ':62F:C260303EUR9999,00'),
        },
        422,
        'bank_statement/invalid_file',
        /MT940/,
      ],
      [{ format: 'mt940', content: '   ' }, 422, 'bank_statement/invalid_file', /empty/],
      [
        { format: 'csv', content: 'a', content_base64: 'YQ==', csv: UK_CSV },
        400,
        'bank_statement/content_required',
        /one of the two/,
      ],
      [{ format: 'ofx', content: 'x' }, 400, 'request/validation_failed', /format/],
    ];
    for (const [payload, status, code, detail] of cases) {
      const res = await call('/v1/bank_transactions/import', payload, other);
      t.equal(res.statusCode, status, `${code}: ${res.body.slice(0, 300)}`);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.equal(res.json().code, code);
      t.match(JSON.stringify(res.json()), detail);
    }
    t.same(await list(other), [], 'nothing was imported by any of them');
  });

  t.test('more lines than one import takes', async (t) => {
    const other = await ctx.createAccount({ name: 'Big' });
    const rows = Array.from({ length: 1001 }, (_, i) => `2026-03-02,${i + 1}.00,PAYMENT ${i}`).join('\n');
    const res = await call(
      '/v1/bank_transactions/import',
      {
        format: 'csv',
        content: `Date,Amount,Memo\n${rows}\n`,
        csv: { currency: 'EUR', columns: { booked_on: 'Date', amount: 'Amount', label: 'Memo' } },
      },
      other,
    );
    t.equal(res.statusCode, 422);
    t.equal(res.json().code, 'bank_statement/too_many_lines');
    t.same(await list(other), []);
  });
});
