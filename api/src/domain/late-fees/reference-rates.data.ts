/**
 * Reference rates known at release (basis points, with the day each took effect). The migrations
 * 2026-11-22T11-30-00_late_fees and 2026-12-06T00-50-00_reference_rate_alerts seed the same values
 * (migrations keep their own frozen copy); later changes are recorded in the `reference_rates`
 * table, not here. A row repeating the previous rate on a reference date (1 January / 1 July for
 * the ECB, 31 December / 30 June for the Bank of England) records that the rate was checked and
 * unchanged that day: rates are known up to the latest `effective_on` of each source.
 * Sources: ECB "Key ECB interest rates" (main refinancing operations, fixed rate);
 * Bank of England "Bank Rate history".
 */
import type { ReferenceRate } from './late-fee.rules.ts';

const ecb = (effective_on: string, rate_bps: number): ReferenceRate => ({ source: 'ecb_mro', effective_on, rate_bps });
const boe = (effective_on: string, rate_bps: number): ReferenceRate => ({ source: 'boe_base', effective_on, rate_bps });

export const SHIPPED_REFERENCE_RATES: readonly ReferenceRate[] = Object.freeze(
  [
    ecb('2016-03-16', 0),
    ecb('2022-07-27', 50),
    ecb('2022-09-14', 125),
    ecb('2022-11-02', 200),
    ecb('2022-12-21', 250),
    ecb('2023-02-08', 300),
    ecb('2023-03-22', 350),
    ecb('2023-05-10', 375),
    ecb('2023-06-21', 400),
    ecb('2023-08-02', 425),
    ecb('2023-09-20', 450),
    ecb('2024-06-12', 425),
    ecb('2024-09-18', 365),
    ecb('2024-10-23', 340),
    ecb('2024-12-18', 315),
    ecb('2025-02-05', 290),
    ecb('2025-03-12', 265),
    ecb('2025-04-23', 240),
    ecb('2025-06-11', 215),
    ecb('2025-07-01', 215), // unchanged: held at the meetings of July, September, October 2025
    ecb('2026-01-01', 215), // unchanged: held on 18 December 2025
    boe('2018-08-02', 75),
    boe('2020-03-11', 25),
    boe('2020-03-19', 10),
    boe('2021-12-16', 25),
    boe('2022-02-03', 50),
    boe('2022-03-17', 75),
    boe('2022-05-05', 100),
    boe('2022-06-16', 125),
    boe('2022-08-04', 175),
    boe('2022-09-22', 225),
    boe('2022-11-03', 300),
    boe('2022-12-15', 350),
    boe('2023-02-02', 400),
    boe('2023-03-23', 425),
    boe('2023-05-11', 450),
    boe('2023-06-22', 500),
    boe('2023-08-03', 525),
    boe('2024-08-01', 500),
    boe('2024-11-07', 475),
    boe('2025-02-06', 450),
    boe('2025-05-08', 425),
    boe('2025-08-07', 400),
    boe('2025-12-18', 375),
    boe('2025-12-31', 375), // unchanged: no MPC decision between 18 and 31 December 2025
  ].map((rate) => Object.freeze(rate)),
);
