// The lifecycle statuses of the French e-invoicing reform (from September 2026), as approved
// platforms (PA) exchange them: codes, French and English names from the AIFE's "Dossier de
// spécifications externes FE" v3.1 (2025-10-31) and AFNOR XP Z12-012, as listed in the
// CDAR code lists (e.g. developer.vertexinc.com/einvoicing/docs/france-cii-cdar-d22b-code-lists).
// 200 Déposée, 210 Refusée, 212 Encaissée and 213 Rejetée are the statuses reported to the
// public platform (PPF); the others travel between the parties' platforms.

export const EINVOICE_STATUSES = {
  200: { fr: 'Déposée', en: 'Submitted' },
  201: { fr: 'Émise par la plateforme', en: 'Issued by platform' },
  202: { fr: 'Reçue par la plateforme', en: 'Received by the platform' },
  203: { fr: 'Mise à disposition', en: 'Made available' },
  204: { fr: 'Prise en charge', en: 'Taken over' },
  205: { fr: 'Approuvée', en: 'Approved' },
  206: { fr: 'Approuvée partiellement', en: 'Partially approved' },
  207: { fr: 'En litige', en: 'In dispute' },
  208: { fr: 'Suspendue', en: 'Suspended' },
  209: { fr: 'Complétée', en: 'Completed' },
  210: { fr: 'Refusée', en: 'Refused' },
  211: { fr: 'Paiement transmis', en: 'Payment sent' },
  212: { fr: 'Encaissée', en: 'Payment received' },
  213: { fr: 'Rejetée', en: 'Rejected' },
} as const;

export type EinvoiceCode = keyof typeof EINVOICE_STATUSES;
export const EINVOICE_CODES = Object.keys(EINVOICE_STATUSES).map(Number) as EinvoiceCode[];

/** What Relance does when a status arrives. */
export type Reaction =
  /** Open a dispute (207): reminders are held until it is resolved. */
  | { kind: 'dispute' }
  /** Pause the invoice until resumed (208 suspended; 210 refused, 213 rejected: not due as issued). */
  | { kind: 'pause' }
  /** Pause until a date: the buyer says it paid (211), reminders wait for the money to arrive. */
  | { kind: 'payment_claim' }
  /** Lift a pause that an earlier e-invoicing status set (205 approved, 209 completed). */
  | { kind: 'release' }
  | { kind: 'none' };

export function reactionTo(code: EinvoiceCode): Reaction {
  switch (code) {
    case 207:
      return { kind: 'dispute' };
    case 208:
    case 210:
    case 213:
      return { kind: 'pause' };
    case 211:
      return { kind: 'payment_claim' };
    case 205:
    case 209:
      return { kind: 'release' };
    default:
      return { kind: 'none' };
  }
}

/** The pause reason an e-invoicing status writes; a later release lifts only pauses it wrote. */
export const pauseReasonOf = (code: EinvoiceCode) => `einvoice:${code} ${EINVOICE_STATUSES[code].en.toLowerCase()}`;
export const isEinvoicePause = (reason: string | null) => reason?.startsWith('einvoice:') ?? false;

/** Days reminders wait after a "payment sent" (211) before the schedule resumes, unless told otherwise. */
export const PAYMENT_CLAIM_DAYS = 7;
