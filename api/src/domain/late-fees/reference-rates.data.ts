/**
 * Reference rates known at release (basis points, with the day each took effect). The migrations
 * 2026-11-22T11-30-00_late_fees and 2026-12-06T00-50-00_reference_rate_alerts seed the same values
 * (migrations keep their own frozen copy); later changes are recorded in the `reference_rates`
 * table, not here. A row repeating the previous rate on a reference date (1 January / 1 July for
 * the ECB, 31 December / 30 June for the Bank of England) records that the rate was checked and
 * unchanged that day: rates are known up to the latest `effective_on` of each source.
 * Sources: ECB "Key ECB interest rates" (main refinancing operations, fixed rate);
 * Bank of England "Bank Rate history"; Deutsche Bundesbank "Basiszinssatz" (§247 BGB, published
 * in the Bundesanzeiger; it changes only on 1 January and 1 July, by the points the ECB main
 * refinancing rate moved since its last change). The migration 2026-12-07T00-10-00_de_b2b seeds
 * the Bundesbank values.
 */
import type { ReferenceRate } from './late-fee.rules.ts';

const ecb = (effective_on: string, rate_bps: number): ReferenceRate => ({ source: 'ecb_mro', effective_on, rate_bps });
const boe = (effective_on: string, rate_bps: number): ReferenceRate => ({ source: 'boe_base', effective_on, rate_bps });
const bbk = (effective_on: string, rate_bps: number): ReferenceRate => ({
  source: 'bundesbank_base',
  effective_on,
  rate_bps,
});

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
    // −0.88 % from 1 July 2016 (Börsen-Zeitung, "Basiszins sinkt auf minus 0,88 Prozent",
    // boersen-zeitung.de), unchanged through 31 December 2022 (stb-bruns.com, "Basiszinssatz wurde angepasst").
    bbk('2016-07-01', -88),
    bbk('2023-01-01', 162), // stb-bruns.com, "Basiszinssatz wurde angepasst": 1.62 % from 1.1.2023
    bbk('2023-07-01', 312), // IHK Kassel news "Neuer Basiszinssatz seit 1. Januar": 3.62 % (zuvor 3.12 %)
    bbk('2024-01-01', 362), // IHK Kassel (idem); flash-up.com 2023-12: "von 3,12 auf 3,62 Prozent"
    // Derived by §247(1) BGB from the ECB rows above (MRO 4.50 % before 1 January 2024, 4.25 %
    // before 1 July 2024: −0.25 points): 3.37 %. No Bundesbank notice for it was at hand.
    bbk('2024-07-01', 337),
    bbk('2025-01-01', 227), // iww.de "Basiszinssatz sinkt zum 1.7.25 auf 1,27 Prozent": "von 2,27 %"
    bbk('2025-07-01', 127), // iww.de (idem); malerblog.net "Verzugszinssätze sinken zum 1. Juli 2025"
    // unchanged: Bundesbank notice "Bekanntgabe des Basiszinssatzes zum 1. Januar 2026: Basiszinssatz
    // bleibt unverändert bei 1,27 %" (as reported by state-of.biz/bbk)
    bbk('2026-01-01', 127),
  ].map((rate) => Object.freeze(rate)),
);
