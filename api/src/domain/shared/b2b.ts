import { AppError } from '../../errors.ts';

/**
 * The statutory late-fee presets that exist between businesses only (a fixed recovery fee and
 * commercial interest: FR art. L441-10 Code de commerce, EU Directive 2011/7/EU, UK Late
 * Payment of Commercial Debts (Interest) Act 1998, DE §288 Abs. 2 and 5 BGB). Adding a preset for business debts? List it.
 */
export const B2B_PRESETS = ['fr_b2b', 'eu_b2b', 'uk_b2b', 'de_b2b', 'ie_b2b'] as const;

export const isB2bPreset = (kind: string | null | undefined): boolean =>
  kind !== null && kind !== undefined && (B2B_PRESETS as readonly string[]).includes(kind);

export type CustomerKind = 'business' | 'consumer';

/** 422 when business-only terms are set for a consumer (naming the field that set them). */
export function refuseB2bTermsForConsumer(kind: string, termsLateFeeKind: string | null, field: string): void {
  if (kind === 'consumer' && isB2bPreset(termsLateFeeKind))
    throw new AppError(
      'late_fee/b2b_preset_for_consumer',
      422,
      `These payment terms apply the statutory B2B late fees (${termsLateFeeKind}), which the law reserves for debts between businesses: a consumer's invoice cannot use them. Choose terms without them, or set the customer's kind to business.`,
      { errors: [{ field, message: `applies ${termsLateFeeKind}, a business-only preset, to a consumer` }] },
    );
}
