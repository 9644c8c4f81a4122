import { createHash } from 'node:crypto';
import type { Statement as Mt940Statement, default as Mt940 } from 'mt940js';
import { AppError } from '../../errors.ts';
import { currencyExponent, isCurrency, parseDecimalAmount } from '../money.ts';
import type { BankStatementImport, BankTransactionInput, DATE_FORMATS } from './bank-transaction.schemas.ts';

/**
 * Bank statement files turned into bank lines: CSV exports (any columns, named in the request),
 * ISO 20022 camt.053 XML and SWIFT MT940. Parsing is left to well-kept libraries: csv-parse (RFC
 * 4180 quoting, any delimiter), fast-xml-parser (no DTD or entity expansion by default), mt940js
 * (tags 20–86, balance checks). What is ours: the mapping to lines, amounts read exactly in
 * minor units, and errors that name the line and the field.
 */

export type StatementFile = BankStatementImport;
type CsvMapping = NonNullable<BankStatementImport['csv']>;

type Line = BankTransactionInput;

function invalid(detail: string, field: string, message: string): AppError {
  return new AppError('bank_statement/invalid_file', 422, detail, { errors: [{ field, message }] });
}

/** The file's text: decoded from base64 and its encoding, without a byte-order mark. */
export function statementText(file: StatementFile): string {
  if ((file.content === undefined) === (file.content_base64 === undefined)) {
    throw new AppError(
      'bank_statement/content_required',
      400,
      'Give the file as `content` (text) or `content_base64` (bytes), one of the two.',
      {
        errors: [{ field: '/content', message: 'exactly one of content and content_base64' }],
      },
    );
  }
  if (file.content !== undefined) return file.content.replace(/^\uFEFF/, '');
  const bytes = Buffer.from(file.content_base64 ?? '', 'base64');
  const encoding = file.encoding ?? 'utf-8';
  try {
    return new TextDecoder(encoding, { fatal: encoding === 'utf-8' }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw invalid(
      'The file is not valid UTF-8: give its `encoding` (for example windows-1252 for many French bank exports).',
      '/encoding',
      'does not match the bytes',
    );
  }
}

/** The lines of a statement file, in file order. Throws a 422 naming the line and field at the first problem. */
export async function parseStatement(file: StatementFile, defaultCurrency: string): Promise<Line[]> {
  const text = statementText(file);
  if (!text.trim()) throw invalid('The file is empty.', '/content', 'is empty');
  // Each format's parser is loaded with its first file: most processes never read a statement.
  const lines =
    file.format === 'csv'
      ? parseCsvStatement(text, file.csv, defaultCurrency, (await import('csv-parse/sync')).parse)
      : file.format === 'camt053'
        ? parseCamt053(text, await import('fast-xml-parser'))
        : parseMt940(text, (await import('mt940js')).default);
  if (lines.length === 0) throw invalid('The file holds no bank line.', '/content', 'has no transaction');
  return withUniqueReferences(lines);
}

/** Amounts as banks print them: `1 234,56`, `1.234,56`, `-12.30`, `12,30-`, `+5`. */
function amountOf(raw: string, currency: string, decimal: '.' | ',', where: string): number {
  let text = raw.replace(/[\s\u00a0\u202f']/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (text.endsWith('-')) {
    negative = true;
    text = text.slice(0, -1);
  }
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  const thousands = decimal === ',' ? '.' : ',';
  text = text.split(thousands).join('');
  if (decimal === ',') text = text.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(text))
    throw invalid(`${where}: '${raw}' is not an amount.`, where, `'${raw}' is not an amount`);
  try {
    const minor = parseDecimalAmount(text, currency);
    return negative ? -minor : minor;
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`, where, (error as Error).message);
  }
}

/** Group `n` of a match whose pattern has it (never undefined for the patterns below). */
function at(m: RegExpExecArray, n: number): string {
  return m[n] ?? '';
}

function dateOf(raw: string, format: (typeof DATE_FORMATS)[number] | undefined, where: string): string {
  const text = raw.trim();
  const patterns: Array<[RegExp, (m: RegExpExecArray) => [string, string, string]]> = [];
  const f = format ?? (/^\d{4}-/.test(text) ? 'YYYY-MM-DD' : text.includes('.') ? 'DD.MM.YYYY' : 'DD/MM/YYYY');
  const sep = f.includes('.') ? '\\.' : f.includes('-') && !f.startsWith('YYYY') ? '-' : '/';
  if (f === 'YYYY-MM-DD') patterns.push([/^(\d{4})-(\d{2})-(\d{2})/, (m) => [at(m, 1), at(m, 2), at(m, 3)]]);
  else if (f === 'MM/DD/YYYY')
    patterns.push([/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, (m) => [at(m, 3), at(m, 1), at(m, 2)]]);
  else if (f.endsWith('YYYY'))
    patterns.push([new RegExp(`^(\\d{1,2})${sep}(\\d{1,2})${sep}(\\d{4})$`), (m) => [at(m, 3), at(m, 2), at(m, 1)]]);
  else
    patterns.push([
      new RegExp(`^(\\d{1,2})${sep}(\\d{1,2})${sep}(\\d{2})$`),
      (m) => [`20${at(m, 3)}`, at(m, 2), at(m, 1)],
    ]);
  for (const [pattern, parts] of patterns) {
    const m = pattern.exec(text);
    if (!m) continue;
    const [y, mo, d] = parts(m);
    const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
    const date = new Date(`${iso}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso)) return iso;
  }
  throw invalid(`${where}: '${raw}' is not a date in the form ${f}.`, where, `'${raw}' is not a date (${f})`);
}

function parseCsvStatement(
  text: string,
  mapping: CsvMapping | undefined,
  defaultCurrency: string,
  parseCsv: typeof import('csv-parse/sync').parse,
): Line[] {
  if (!mapping) {
    throw new AppError(
      'bank_statement/csv_mapping_required',
      400,
      'A CSV file needs `csv.columns`: which column holds the date, the amount (or debit and credit) and the label.',
      {
        errors: [{ field: '/csv', message: 'is required for format csv' }],
      },
    );
  }
  const body = text
    .split(/\r?\n/)
    .slice(mapping.skip_lines ?? 0)
    .join('\n');
  const headerLine = body.split('\n', 1)[0] ?? '';
  const delimiter = mapping.delimiter ?? [';', '\t', ','].find((d) => headerLine.includes(d)) ?? ',';
  let records: Record<string, string>[];
  try {
    records = parseCsv(body, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      delimiter,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw invalid(
      `The CSV cannot be read${line ? ` (line ${line + (mapping.skip_lines ?? 0)})` : ''}: ${(error as Error).message}`,
      '/content',
      'is not valid CSV',
    );
  }
  const header = Object.keys(records[0] ?? {});
  const cols = mapping.columns;
  const labels = Array.isArray(cols.label) ? cols.label : [cols.label];
  const wanted = [
    cols.booked_on,
    cols.amount,
    cols.debit,
    cols.credit,
    ...labels,
    cols.currency,
    cols.counterparty_name,
    cols.bank_reference,
  ].filter((c): c is string => c !== undefined);
  const missing = wanted.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new AppError(
      'bank_statement/csv_column_missing',
      422,
      `The CSV has no column ${missing.map((c) => `'${c}'`).join(', ')}; its columns are ${header.map((c) => `'${c}'`).join(', ')}.`,
      {
        errors: missing.map((c) => ({ field: '/csv/columns', message: `'${c}' is not a column of the file` })),
      },
    );
  }
  if (cols.amount === undefined && (cols.debit === undefined || cols.credit === undefined)) {
    throw new AppError(
      'bank_statement/csv_mapping_required',
      400,
      'Name the `amount` column, or both the `debit` and `credit` columns.',
      { errors: [{ field: '/csv/columns/amount', message: 'or debit and credit' }] },
    );
  }
  const decimal = mapping.decimal_separator ?? '.';
  const out: Line[] = [];
  records.forEach((record, index) => {
    const lineNo = index + 2 + (mapping.skip_lines ?? 0);
    const at = (column: string) => `line ${lineNo}, column '${column}'`;
    const currency =
      (cols.currency ? record[cols.currency] : undefined)?.trim().toUpperCase() || mapping.currency || defaultCurrency;
    if (!isCurrency(currency))
      throw invalid(
        `${at(cols.currency ?? 'currency')}: '${currency}' is not an ISO 4217 currency.`,
        `/lines/${lineNo}/currency`,
        `'${currency}' is not a currency`,
      );
    let amount: number;
    if (cols.amount !== undefined) amount = amountOf(record[cols.amount] ?? '', currency, decimal, at(cols.amount));
    else {
      const debit = (record[cols.debit ?? ''] ?? '').trim();
      const credit = (record[cols.credit ?? ''] ?? '').trim();
      amount = credit
        ? Math.abs(amountOf(credit, currency, decimal, at(cols.credit ?? '')))
        : -Math.abs(amountOf(debit || '0', currency, decimal, at(cols.debit ?? '')));
    }
    if (amount === 0) return; // a zero line (a balance row) is no transaction
    const label = labels
      .map((c) => (record[c] ?? '').trim())
      .filter(Boolean)
      .join(' ')
      .slice(0, 1000);
    if (!label) throw invalid(`${at(labels[0] ?? 'label')}: the label is empty.`, `/lines/${lineNo}/label`, 'is empty');
    out.push({
      booked_on: dateOf(record[cols.booked_on] ?? '', mapping.date_format, at(cols.booked_on)),
      amount,
      currency,
      label,
      counterparty_name: (cols.counterparty_name ? record[cols.counterparty_name]?.trim() : undefined) || null,
      bank_reference: (cols.bank_reference ? record[cols.bank_reference]?.trim() : '') ?? '',
    });
  });
  return out;
}

type XmlNode = Record<string, unknown>;
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const textOf = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return textOf((value as XmlNode)['#text']);
  return String(value);
};
const child = (node: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((n, key) => (n && typeof n === 'object' ? (n as XmlNode)[key] : undefined), node);

/** ISO 20022 BankToCustomerStatement (camt.053, versions 001.02 to 001.13). */
function parseCamt053(text: string, { XMLParser, XMLValidator }: typeof import('fast-xml-parser')): Line[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw invalid(
      `The XML cannot be read (line ${valid.err.line}): ${valid.err.msg}`,
      '/content',
      `is not well-formed XML (line ${valid.err.line})`,
    );
  const xml = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
  }).parse(text) as XmlNode;
  const statements = asArray(child(xml, 'Document', 'BkToCstmrStmt', 'Stmt') as XmlNode | XmlNode[] | undefined);
  if (!child(xml, 'Document', 'BkToCstmrStmt'))
    throw invalid('The XML is not a camt.053 statement (no Document/BkToCstmrStmt).', '/content', 'is not camt.053');
  const out: Line[] = [];
  statements.forEach((statement, s) => {
    asArray(statement.Ntry as XmlNode | XmlNode[] | undefined).forEach((entry, e) => {
      const where = `statement ${s + 1}, entry ${e + 1}`;
      const amountNode = entry.Amt;
      const currency = textOf(child(amountNode, '@Ccy')) ?? '';
      if (!isCurrency(currency))
        throw invalid(`${where}: Amt has no valid Ccy ('${currency}').`, `/entries/${e + 1}/Amt`, 'has no currency');
      const magnitude = amountOf(textOf(amountNode) ?? '', currency, '.', `${where}, Amt`);
      const direction = textOf(entry.CdtDbtInd);
      if (direction !== 'CRDT' && direction !== 'DBIT')
        throw invalid(
          `${where}: CdtDbtInd is '${direction ?? ''}', not CRDT or DBIT.`,
          `/entries/${e + 1}/CdtDbtInd`,
          'is not CRDT or DBIT',
        );
      const reversal = textOf(entry.RvslInd) === 'true';
      const sign = (direction === 'CRDT') !== reversal ? 1 : -1;
      const booked =
        textOf(child(entry, 'BookgDt', 'Dt')) ??
        textOf(child(entry, 'BookgDt', 'DtTm'))?.slice(0, 10) ??
        textOf(child(entry, 'ValDt', 'Dt'));
      if (!booked) throw invalid(`${where}: no BookgDt.`, `/entries/${e + 1}/BookgDt`, 'is missing');
      const details = asArray(child(entry, 'NtryDtls') as XmlNode | XmlNode[] | undefined).flatMap((d) =>
        asArray(d.TxDtls as XmlNode | XmlNode[] | undefined),
      );
      const first = details[0];
      const remittance = details
        .flatMap((d) => asArray(child(d, 'RmtInf', 'Ustrd') as unknown))
        .map(textOf)
        .filter(Boolean)
        .join(' ');
      const structured = details
        .map((d) => textOf(child(d, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref')))
        .filter(Boolean)
        .join(' ');
      const label =
        [remittance, structured, textOf(entry.AddtlNtryInf)].filter(Boolean).join(' ').trim() ||
        textOf(child(entry, 'BkTxCd', 'Prtry', 'Cd')) ||
        'camt.053 entry';
      const party = sign > 0 ? 'Dbtr' : 'Cdtr';
      const counterparty =
        textOf(child(first, 'RltdPties', party, 'Nm')) ?? textOf(child(first, 'RltdPties', party, 'Pty', 'Nm')) ?? null;
      const reference =
        textOf(entry.AcctSvcrRef) ??
        textOf(child(first, 'Refs', 'AcctSvcrRef')) ??
        textOf(entry.NtryRef) ??
        textOf(child(first, 'Refs', 'EndToEndId')) ??
        '';
      out.push({
        booked_on: dateOf(booked, 'YYYY-MM-DD', `${where}, BookgDt`),
        amount: sign * magnitude,
        currency,
        label: label.slice(0, 1000),
        counterparty_name: counterparty,
        bank_reference: reference,
      });
    });
  });
  return out;
}

/** SWIFT MT940: amounts with a comma as decimal mark, one statement per :20: block. */
function parseMt940(text: string, mt940: typeof Mt940): Line[] {
  let statements: Mt940Statement[];
  try {
    statements = new mt940.Parser().parse(text.replace(/\r\n/g, '\n'));
  } catch (error) {
    throw invalid(
      `The MT940 file cannot be read: ${(error as Error).message}`,
      '/content',
      'is not a valid MT940 statement',
    );
  }
  const out: Line[] = [];
  statements.forEach((statement, s) => {
    statement.transactions.forEach((tx, i) => {
      const where = `statement ${s + 1}, transaction ${i + 1}`;
      const currency = tx.currency || statement.currency;
      if (!isCurrency(currency))
        throw invalid(
          `${where}: '${currency}' is not a currency.`,
          `/transactions/${i + 1}/currency`,
          'is not a currency',
        );
      const exponent = currencyExponent(currency);
      const amount = amountOf(tx.amount.toFixed(exponent), currency, '.', `${where}, :61: amount`);
      const structured = tx.structuredDetails ?? {};
      // Field 86 in the German structure: ?00 booking text, ?20–?29 and ?60–?63 the remittance text.
      const purpose = ['00', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '60', '61', '62', '63']
        .map((k) => structured[k]?.trim())
        .filter(Boolean)
        .join(' ');
      const details = purpose || (tx.details ?? '').replace(/\n/g, ' ').trim();
      const counterparty = [structured['32'], structured['33']].filter(Boolean).join('') || null;
      const reference =
        tx.bankReference?.trim() || (tx.reference && tx.reference !== 'NONREF' ? tx.reference.trim() : '');
      out.push({
        booked_on: tx.date.toISOString().slice(0, 10),
        amount,
        currency,
        label: (details || tx.reference || 'MT940 transaction').slice(0, 1000),
        counterparty_name: counterparty,
        bank_reference: reference,
      });
    });
  });
  return out;
}

/**
 * Lines without a bank reference (most CSV exports) get one from what they are: date, amount,
 * currency, label, and how many identical lines came before in the file. The same file imported
 * twice gives the same references, so nothing is duplicated.
 */
function withUniqueReferences(lines: Line[]): Line[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    if (line.bank_reference) return line;
    const key = `${line.booked_on}|${line.amount}|${line.currency}|${line.label}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    return {
      ...line,
      bank_reference: `file:${createHash('sha256').update(`${key}|${nth}`).digest('hex').slice(0, 32)}`,
    };
  });
}
