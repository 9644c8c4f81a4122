import { AppError } from '../../errors.ts';

/** Default aging buckets: current, 1–30, 31–60, 61–90, 90+ days past due. */
export const DEFAULT_AGING_EDGES = [30, 60, 90] as const;

/** `30,60,90` → [30, 60, 90]: increasing whole days, 1 to 10 edges. */
export function agingEdges(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_AGING_EDGES];
  const edges = text.split(',').map((part) => Number(part.trim()));
  const valid =
    edges.length >= 1 &&
    edges.length <= 10 &&
    edges.every((e, i) => Number.isInteger(e) && e >= 1 && e <= 3650 && (i === 0 || e > (edges[i - 1] ?? 0)));
  if (!valid) {
    throw new AppError(
      'report/invalid_buckets',
      400,
      `'${text}' is not a list of increasing day counts such as 30,60,90.`,
      {
        errors: [{ field: '/buckets', message: 'increasing whole days from 1 to 3650, at most 10, comma-separated' }],
      },
    );
  }
  return edges;
}

/** The bucket names for these edges: `current`, `1_30`, `31_60`, `61_90`, `90_plus`. */
export function bucketNames(edges: readonly number[]): string[] {
  const names = ['current'];
  let from = 1;
  for (const edge of edges) {
    names.push(`${from}_${edge}`);
    from = edge + 1;
  }
  names.push(`${edges.at(-1) ?? 0}_plus`);
  return names;
}

/** Which bucket an amount `daysPastDue` days past due falls in (0 or less: current). */
export function bucketIndex(daysPastDue: number, edges: readonly number[]): number {
  if (daysPastDue <= 0) return 0;
  const i = edges.findIndex((edge) => daysPastDue <= edge);
  return i === -1 ? edges.length + 1 : i + 1;
}

/**
 * Days sales outstanding, the standard (countback-free) formula: receivables at the end of the
 * period ÷ credit sales of the period × days in the period. Best possible DSO counts only the
 * receivables not yet due; average days delinquent is the difference. Rounded to 0.1 day; null
 * when there were no sales in the period.
 */
export function dso(input: { receivables: number; currentReceivables: number; creditSales: number; days: number }): {
  dso: number | null;
  best_possible_dso: number | null;
  average_days_delinquent: number | null;
} {
  if (input.creditSales <= 0) return { dso: null, best_possible_dso: null, average_days_delinquent: null };
  const round = (x: number) => Math.round(x * 10) / 10;
  const total = (input.receivables / input.creditSales) * input.days;
  const best = (input.currentReceivables / input.creditSales) * input.days;
  return { dso: round(total), best_possible_dso: round(best), average_days_delinquent: round(total - best) };
}
