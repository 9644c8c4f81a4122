/**
 * Bank lines as French, German and UK banks print them, with the invoices each one pays. Amounts
 * in minor units. `expect: null` means no proposal at all.
 */
export interface FixtureCustomer {
  name: string;
  currency: string;
  invoices: Array<[number: string, amount: number]>;
}

export const CUSTOMERS: FixtureCustomer[] = [
  {
    name: 'ACME SARL',
    currency: 'EUR',
    invoices: [
      ['F-2026-0042', 120_000],
      ['F-2026-0043', 45_000],
      ['F-2026-0044', 20_000],
      ['F-2026-0045', 55_000],
      ['F-2026-0051', 30_000],
    ],
  },
  {
    name: 'Dupont et Fils',
    currency: 'EUR',
    invoices: [
      ['F-2026-0050', 250_000],
      ['F-2026-0061', 80_000],
      ['F-2026-0062', 70_000],
    ],
  },
  {
    name: 'Müller Maschinenbau GmbH',
    currency: 'EUR',
    invoices: [
      ['RE-2026-117', 476_000],
      ['RE-2026-118', 119_000],
    ],
  },
  {
    name: 'Schneider Elektro GmbH',
    currency: 'EUR',
    invoices: [
      ['RE-2026-130', 88_000],
      ['RE-2026-131', 12_000],
    ],
  },
  {
    name: 'Boulangerie Martin',
    currency: 'EUR',
    invoices: [
      ['F-2026-0070', 15_600],
      ['F-2026-0071', 23_400],
    ],
  },
  { name: 'Transports Lefèvre SAS', currency: 'EUR', invoices: [['F-2026-0080', 318_000]] },
  { name: 'Jean-Pierre Moreau', currency: 'EUR', invoices: [['F-2026-0090', 9_900]] },
  {
    name: 'Smith & Jones Ltd',
    currency: 'GBP',
    invoices: [
      ['INV-10234', 99_900],
      ['INV-10235', 150_000],
    ],
  },
  { name: 'Bright Ideas Limited', currency: 'GBP', invoices: [['INV-10240', 42_000]] },
  // Decoys: their numbers hide in a date and an IBAN below, and one shares Moreau's amount.
  {
    name: 'Decoy Holding',
    currency: 'EUR',
    invoices: [
      ['2026-0315', 9_900],
      ['F-3000-6000', 5_000],
    ],
  },
];

export interface FixtureLine {
  label: string;
  counterparty_name?: string;
  amount: number;
  currency: string;
  /** The invoice numbers of the best proposal, or null for none. */
  expect: string[] | null;
}

export const LINES: FixtureLine[] = [
  // France
  {
    label: 'VIR SEPA RECU /DE ACME SARL /MOTIF FACTURE F-2026-0042 /REF 0303260001',
    counterparty_name: 'ACME SARL',
    amount: 120_000,
    currency: 'EUR',
    expect: ['F-2026-0042'],
  },
  { label: 'VIREMENT SEPA DE ACME SARL REF F20260043', amount: 45_000, currency: 'EUR', expect: ['F-2026-0043'] },
  {
    label: 'VIR SEPA DUPONT ET FI',
    counterparty_name: 'DUPONT ET FI',
    amount: 250_000,
    currency: 'EUR',
    expect: ['F-2026-0050'],
  },
  {
    label: 'VIR INST RE. DUPONT ET FILS FACT 2026-0061 ET 2026-0062',
    amount: 150_000,
    currency: 'EUR',
    expect: ['F-2026-0061', 'F-2026-0062'],
  },
  {
    label: 'VIR SEPA BOULANGERIE MARTIN REGLEMENT FACTURES',
    counterparty_name: 'BOULANGERIE MARTIN',
    amount: 39_000,
    currency: 'EUR',
    expect: ['F-2026-0070', 'F-2026-0071'],
  },
  { label: 'REMISE CHEQUE N 4521337 TRANSPORTS LEFEVRE', amount: 318_000, currency: 'EUR', expect: ['F-2026-0080'] },
  {
    label: 'VIR SEPA DE JEAN-PIERRE MOREAU PAIEMENT DU 2026-03-15',
    counterparty_name: 'M JEAN PIERRE MOREAU',
    amount: 9_900,
    currency: 'EUR',
    expect: ['F-2026-0090'],
  },
  {
    label: 'VIR SEPA RECU /DE INCONNU /IBAN FR76 3000 6000 0112 3456 7890 189',
    amount: 7_777,
    currency: 'EUR',
    expect: null,
  },
  {
    label: 'PAIEMENT FACTURES F-2026-0044 F-2026-0045 ACME',
    amount: 75_000,
    currency: 'EUR',
    expect: ['F-2026-0044', 'F-2026-0045'],
  },
  { label: 'VIR SEPA ACME SARL ACOMPTE F-2026-0051', amount: 10_000, currency: 'EUR', expect: ['F-2026-0051'] },
  { label: 'CB REMISE 1234567 DU 28/02 STRIPE PAYMENTS EUROPE', amount: 873_412, currency: 'EUR', expect: null },
  {
    label: 'Virement de Société Dupont et Fils facture n° F-2026-0050',
    amount: 250_000,
    currency: 'EUR',
    expect: ['F-2026-0050'],
  },
  { label: 'VIR SEPA RECU /DE M OU MME DURAND /MOTIF LOYER MARS', amount: 123_456, currency: 'EUR', expect: null },
  // Germany
  {
    label: 'SVWZ+RE-2026-117 EREF+NOTPROVIDED',
    counterparty_name: 'Müller Maschinenbau GmbH',
    amount: 476_000,
    currency: 'EUR',
    expect: ['RE-2026-117'],
  },
  {
    label: 'GUTSCHRIFT UEBERWEISUNG Rechnung RE 2026 118 MUELLER MASCHINENBAU',
    amount: 119_000,
    currency: 'EUR',
    expect: ['RE-2026-118'],
  },
  {
    label: 'SEPA-GUTSCHRIFT SCHNEIDER ELEKTRO GMBH IBAN DE89370400440532013000 RE-2026-130',
    amount: 88_000,
    currency: 'EUR',
    expect: ['RE-2026-130'],
  },
  {
    label: 'EREF+RE2026131 MREF+M-77 CRED+DE98ZZZ09999999999 SVWZ+Zahlung',
    amount: 12_000,
    currency: 'EUR',
    expect: ['RE-2026-131'],
  },
  {
    label: 'SEPA Überweisung SCHNEIDER ELEKTRO Betrag 1.000,00 EUR Datum 01.03.2026',
    counterparty_name: 'SCHNEIDER ELEKTRO GMBH',
    amount: 100_000,
    currency: 'EUR',
    expect: ['RE-2026-130', 'RE-2026-131'],
  },
  { label: 'LASTSCHRIFT STADTWERKE MUENCHEN', amount: -15_000, currency: 'EUR', expect: null },
  // United Kingdom
  { label: 'FPS CREDIT SMITH & JONES LTD INV 10234', amount: 99_900, currency: 'GBP', expect: ['INV-10234'] },
  { label: 'BGC BRIGHT IDEAS LIMITED', amount: 42_000, currency: 'GBP', expect: ['INV-10240'] },
  {
    label: 'FASTER PAYMENT J SMITH REF INV10235',
    counterparty_name: 'J SMITH',
    amount: 150_000,
    currency: 'GBP',
    expect: ['INV-10235'],
  },
  { label: 'Bank Giro Credit Ref: inv-10240 part payment', amount: 20_000, currency: 'GBP', expect: ['INV-10240'] },
  { label: 'CHQ PAID IN 000412 BRANCH 20-32-06', amount: 31_415, currency: 'GBP', expect: null },
  // The right number in the wrong currency is not a match.
  { label: 'FPS CREDIT SMITH JONES INV 10234', amount: 99_900, currency: 'EUR', expect: null },
];
