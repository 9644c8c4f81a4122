/**
 * Renders reminder templates with Handlebars, in a sandbox of our own: strict mode, no
 * prototype access, only the helpers registered here (money, date, plural and Handlebars'
 * block helpers; `log` removed), and a context in which every lookup of a name that does not
 * exist throws. A template that cannot be rendered completely is a 422 naming the problem,
 * never an email with a blank where a variable should have been.
 */
import Handlebars from 'handlebars';
import { isValidIsoDate } from '../domain/calendar.ts';
import { formatMoney, isCurrency } from '../domain/money.ts';
import { AppError } from '../errors.ts';

/** The three parts of a message; `html` is escaped, `subject` and `text` are plain text. */
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
export type TemplateSource = Record<TemplatePart, string>;
export type RenderedMessage = Record<TemplatePart, string>;

/** The helpers a template can call, besides Handlebars' `if`, `unless`, `each`, `with` and `lookup`. */
export const TEMPLATE_HELPERS = ['money', 'date', 'plural'] as const;

/** A name the template looks up that the context does not have. */
class MissingVariable extends Error {
  readonly path: string;
  readonly parent: string;
  readonly available: string[];
  constructor(path: string, parent: string, available: string[]) {
    super(`missing variable ${path}`);
    this.path = path;
    this.parent = parent;
    this.available = available;
  }
}

/** A helper called with what it cannot use, or an object written out as text. */
class RenderProblem extends Error {}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

const PROXY_TRAPS_READ_ONLY = {
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
  setPrototypeOf: () => false,
};

/**
 * A read-only view of the context whose missing names throw {@link MissingVariable} with the
 * full path (`invoice.nmber`): Handlebars' strict mode checks the last name of a path but not
 * helper arguments (`{{#if invoice.paymnt_url}}` would silently be false). Objects have no
 * prototype, so `constructor`, `__proto__` and the like are missing names too.
 */
function guard(value: unknown, path: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const target: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? value.map((item, i) => guard(item, join(path, String(i))))
    : Object.create(null);
  if (!Array.isArray(value)) {
    for (const [key, item] of Object.entries(value))
      (target as Record<string, unknown>)[key] = guard(item, join(path, key));
  }
  const missing = (t: object, name: string) =>
    new MissingVariable(
      join(path, name),
      path,
      Object.keys(t).filter((k) => !Array.isArray(t) || k !== 'length'),
    );
  return new Proxy(target, {
    ...PROXY_TRAPS_READ_ONLY,
    get(t, name) {
      if (name === Symbol.toPrimitive) {
        return () => {
          const name = path || 'this';
          const example = Array.isArray(t)
            ? `{{#each ${name}}}…{{/each}}`
            : `{{${join(path, Object.keys(t)[0] ?? 'name')}}}`;
          throw new RenderProblem(
            `{{${name}}} is ${Array.isArray(t) ? 'a list' : 'an object'}, not text: write one of its fields, e.g. ${example}`,
          );
        };
      }
      if (typeof name === 'symbol') return Array.isArray(t) ? Reflect.get(t, name) : undefined;
      if (Object.hasOwn(t, name)) return (t as Record<string, unknown>)[name];
      // Handlebars probes output values for a SafeString's toHTML.
      if (name === 'toHTML') return undefined;
      throw missing(t, name);
    },
    has(t, name) {
      if (typeof name === 'string' && !Object.hasOwn(t, name)) throw missing(t, name);
      return Reflect.has(t, name);
    },
  });
}

const isOptions = (value: unknown): value is Handlebars.HelperOptions =>
  typeof value === 'object' && value !== null && 'data' in value && 'hash' in value;

/** The helper's `options` (always last) and the arguments before it. */
function argsOf(
  name: string,
  args: unknown[],
  min: number,
  max: number,
): { values: unknown[]; root: Record<string, unknown> } {
  const options = args.at(-1);
  if (!isOptions(options)) throw new RenderProblem(`{{${name}}} was called in a way it does not support.`);
  const values = args.slice(0, -1);
  if (values.length < min || values.length > max) {
    const usage = {
      money: '{{money amount}} or {{money amount "EUR"}}',
      date: '{{date invoice.due_date}} or {{date invoice.due_date "full"}}',
      plural: '{{plural count "day" "days"}}',
    }[name];
    throw new RenderProblem(
      `{{${name}}} takes ${min === max ? min : `${min} or ${max}`} argument${max > 1 ? 's' : ''}: ${usage}.`,
    );
  }
  return { values, root: (options.data as { root: Record<string, unknown> }).root };
}

/** Formatting locale of the message: `format_locale` (en-GB…), else `locale`. */
function localeOf(root: Record<string, unknown>): string {
  // Object.hasOwn does not trip the guard: a context without format_locale is fine.
  const tag = Object.hasOwn(root, 'format_locale')
    ? root.format_locale
    : Object.hasOwn(root, 'locale')
      ? root.locale
      : undefined;
  return typeof tag === 'string' ? tag : 'en';
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A calendar date in words: "1er mars 2026" / "March 1, 2026"; `full` adds the weekday
 * ("dimanche 1er mars 2026"). French writes the first day of a month as an ordinal, "1er"
 * (Imprimerie nationale, Lexique des règles typographiques).
 */
export function formatDate(day: string, locale: string, style: 'long' | 'full' = 'long'): string {
  const format = cached(
    dateFormats,
    `${locale}/${style}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' }),
  );
  const text = format.format(new Date(`${day}T00:00:00Z`));
  return locale.startsWith('fr') ? text.replace(/(^|\s)1(?=\s)/, (_, space: string) => `${space}1er`) : text;
}
const pluralRules = new Map<string, Intl.PluralRules>();
const cached = <T>(cache: Map<string, T>, key: string, make: () => T): T => {
  let value = cache.get(key);
  if (!value) {
    if (cache.size >= 64) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
};

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

const helpers = {
  /** `{{money invoice.total_due}}` → "1 234,56 €": an amount in minor units, in the invoice's currency unless one is given. */
  money(...args: unknown[]): string {
    const { values, root } = argsOf('money', args, 1, 2);
    const [amount, given] = values;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
      throw new RenderProblem(`{{money}} needs an integer amount in minor units; it got ${show(amount)}.`);
    }
    const currency = given ?? (root.invoice as { currency?: unknown } | undefined)?.currency;
    if (typeof currency !== 'string' || !isCurrency(currency)) {
      throw new RenderProblem(`{{money}} needs an ISO 4217 currency such as "EUR"; it got ${show(currency)}.`);
    }
    return formatMoney(amount, currency, localeOf(root));
  },

  /** `{{date invoice.due_date}}` → "1er mars 2026"; `{{date invoice.due_date "full"}}` → "dimanche 1er mars 2026" (see `formatDate`). */
  date(...args: unknown[]): string {
    const { values, root } = argsOf('date', args, 1, 2);
    const [day, style = 'long'] = values;
    if (typeof day !== 'string' || !isValidIsoDate(day)) {
      throw new RenderProblem(`{{date}} needs a YYYY-MM-DD date; it got ${show(day)}.`);
    }
    if (style !== 'long' && style !== 'full') {
      throw new RenderProblem(`{{date}} takes the style "long" or "full"; it got ${show(style)}.`);
    }
    return formatDate(day, localeOf(root), style);
  },

  /** `{{plural invoice.days_overdue "jour" "jours"}}`: the singular or plural word, by the locale's rules. */
  plural(...args: unknown[]): string {
    const { values, root } = argsOf('plural', args, 3, 3);
    const [count, one, other] = values;
    if (typeof count !== 'number' || !Number.isFinite(count))
      throw new RenderProblem(`{{plural}} needs a number; it got ${show(count)}.`);
    if (typeof one !== 'string' || typeof other !== 'string')
      throw new RenderProblem('{{plural}} needs two words: {{plural count "day" "days"}}.');
    const locale = localeOf(root);
    return cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(count) === 'one' ? one : other;
  },
};

/**
 * What one part may cost: templates are written by tenants and run in the API process, so a
 * loop nested in a loop over an invoice's 200 lines must not take the process down.
 */
const MAX_ITERATIONS = 5_000;
const MAX_OUTPUT_CHARS = 2_000_000;
// Rendering is synchronous: one budget at a time, reset for each part.
let budget = { iterations: 0, chars: 0 };

const handlebars = Handlebars.create();
handlebars.unregisterHelper('log');
// No partials, not even inline ones (`{{#*inline}}` could recurse).
handlebars.unregisterDecorator('inline');
handlebars.registerHelper(helpers);

const builtinEach = handlebars.helpers.each as Handlebars.HelperDelegate;
handlebars.registerHelper('each', function each(this: unknown, list: unknown, options: Handlebars.HelperOptions) {
  const fn = options.fn;
  const counted = Object.assign((context: unknown, runtime?: Handlebars.RuntimeOptions) => {
    const out = fn(context, runtime);
    budget.iterations += 1;
    budget.chars += out.length;
    if (budget.iterations > MAX_ITERATIONS || budget.chars > MAX_OUTPUT_CHARS) {
      throw new RenderProblem(
        `its {{#each}} loops produce too much (more than ${MAX_ITERATIONS} iterations or ${MAX_OUTPUT_CHARS} characters).`,
      );
    }
    return out;
  }, fn);
  return builtinEach.call(this, list, { ...options, fn: counted });
});

const COMPILE_CACHE_SIZE = 500;
// Sources are up to 200 000 characters: bound the cache by size too.
const COMPILE_CACHE_CHARS = 20_000_000;
const compiled = new Map<string, Handlebars.TemplateDelegate>();
let compiledChars = 0;

function compile(source: string, escapeHtml: boolean): Handlebars.TemplateDelegate {
  const key = `${escapeHtml ? 'h' : 't'}\u0000${source}`;
  let template = compiled.get(key);
  if (!template) {
    // `log` would write to the server's console: unknown here, so `{{log}}` is a missing name.
    template = handlebars.compile(source, { strict: true, noEscape: !escapeHtml, knownHelpers: { log: false } });
    if (compiled.size >= COMPILE_CACHE_SIZE || compiledChars + key.length > COMPILE_CACHE_CHARS) {
      compiled.clear();
      compiledChars = 0;
    }
    compiled.set(key, template);
    compiledChars += key.length;
  }
  return template;
}

interface AstNode {
  type?: string;
  original?: unknown;
  parts?: string[];
  data?: boolean;
  loc?: { start: { line: number; column: number } } | null;
  [key: string]: unknown;
}

/** Where the template first writes a path ending with `name` (what the author typed, and its line). */
function findPath(source: string, name: string): { written: string; line: number } | undefined {
  let ast: unknown;
  try {
    ast = handlebars.parse(source);
  } catch {
    return undefined;
  }
  const queue: unknown[] = [ast];
  while (queue.length > 0) {
    const node = queue.shift() as AstNode | AstNode[] | null;
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      queue.push(...node);
      continue;
    }
    if (node.type === 'PathExpression' && node.parts?.includes(name) && node.loc) {
      const upTo = node.parts.slice(0, node.parts.indexOf(name) + 1).join('.');
      return { written: `${node.data ? '@' : ''}${upTo}`, line: node.loc.start.line };
    }
    for (const [key, child] of Object.entries(node))
      if (key !== 'loc' && child && typeof child === 'object') queue.push(child);
  }
  return undefined;
}

// Handlebars' strict mode on a data variable (`{{@foo}}`), and its `in` check on a text or a number (`{{customer.name.length}}`).
const STRICT_MISSING = /^"([^"]+)" not defined in/;
const NAME_IN_PRIMITIVE = /^Cannot use 'in' operator to search for '([^']+)' in/;
/** A Handlebars message on one line: a parse error keeps its first line and what was expected. */
function oneLine(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const first = (lines[0] ?? message).replace(/ - \d+:\d+$/, '');
  return lines.length > 2 ? `${first} ${lines.at(-1)}` : first;
}

/** The domain error for a failure rendering one part of a template. */
function problemOf(part: TemplatePart | 'sms', source: string, error: unknown): AppError {
  if (error instanceof AppError && error.code.startsWith('template/')) return error;
  const field = `/${part}`;
  const strictName =
    error instanceof Error && !(error instanceof MissingVariable)
      ? (STRICT_MISSING.exec(error.message) ?? NAME_IN_PRIMITIVE.exec(error.message))?.[1]
      : undefined;
  if (error instanceof MissingVariable || strictName !== undefined) {
    const name = error instanceof MissingVariable ? (error.path.split('.').at(-1) ?? error.path) : String(strictName);
    const where = findPath(source, name);
    const path = error instanceof MissingVariable ? error.path : (where?.written ?? name);
    const line = where ? ` (line ${where.line})` : '';
    let hint = '';
    if (error instanceof MissingVariable && error.parent) hint = ` ${error.parent} has: ${error.available.join(', ')}.`;
    else if (error instanceof MissingVariable) {
      hint = ` The variables are: ${error.available.join(', ')}`;
      hint +=
        where?.written === path
          ? `; the helpers: ${TEMPLATE_HELPERS.join(', ')}, if, unless, each, with, lookup.`
          : '.';
    }
    return new AppError(
      'template/missing_variable',
      422,
      `The ${part} uses {{${path}}}${line}, which does not exist.${hint}`,
      {
        errors: [{ field, message: `uses {{${path}}}, which does not exist` }],
      },
    );
  }
  const message = error instanceof Error ? oneLine(error.message) : String(error);
  const detail =
    error instanceof RenderProblem || (error instanceof AppError && error.code.startsWith('money/'))
      ? `The ${part} cannot be rendered: ${message}`
      : `The ${part} is not a valid template: ${message}`;
  return new AppError('template/invalid', 422, detail, { errors: [{ field, message }] });
}

function renderPart(part: TemplatePart | 'sms', source: string, context: unknown): string {
  budget = { iterations: 0, chars: 0 };
  try {
    const output = compile(source, part === 'html')(context, {
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
    if (part === 'subject') {
      // One line, whatever the variables hold: a subject is a mail header.
      // Line breaks and tabs become spaces; the no-break spaces Intl puts in amounts stay.
      const subject = output.replace(/[\t\n\v\f\r\u2028\u2029 ]+/g, ' ').trim();
      if (!subject) throw new RenderProblem('it renders empty.');
      return subject;
    }
    if (part === 'sms') {
      const text = toSmsCharacters(output);
      if (!text) throw new RenderProblem('it renders empty.');
      return text;
    }
    return `${output
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`;
  } catch (error) {
    throw problemOf(part, source, error);
  }
}

/**
 * Renders a template's subject, HTML and text with `context` (a {@link ReminderContext}, or any
 * plain object). The HTML escapes every variable; subject and text are not escaped, and the
 * subject is folded onto one line.
 * @throws AppError `template/missing_variable` (422) naming the variable the context does not
 *   have; `template/invalid` (422) for a syntax error or a helper given what it cannot use.
 *   `errors[0].field` is `/subject`, `/html` or `/text`.
 */
export function renderTemplate(source: TemplateSource, context: object): RenderedMessage {
  const guarded = guard(context, '');
  return {
    subject: renderPart('subject', source.subject, guarded),
    html: renderPart('html', source.html, guarded),
    text: renderPart('text', source.text, guarded),
  };
}

/**
 * The typography `Intl` and French text use (no-break and narrow no-break spaces in amounts,
 * curly apostrophes and quotes, dashes, an ellipsis) replaced by the GSM-7 characters a phone
 * shows the same way: one of them alone would send the whole text as UCS-2, in segments of 70
 * characters instead of 160 (see sms/segments.ts). Runs of white space become one space.
 */
export function toSmsCharacters(text: string): string {
  return text
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Renders a text message's template (plain text, not escaped) with `context`, on one line in
 * GSM-7 characters where the text allows (see {@link toSmsCharacters}).
 * @throws AppError as {@link renderTemplate}, with `errors[0].field` `/sms`.
 */
export function renderSms(source: string, context: object): string {
  return renderPart('sms', source, guard(context, ''));
}
