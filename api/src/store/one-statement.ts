/**
 * Hot paths write in ONE statement outside an explicit transaction: the statement sets the
 * account for itself in a materialized CTE (`$1` is the account id), then reads and writes under
 * forced row-level security.
 *
 * Row-level security reads the account when a scan starts, so every scan must start after that
 * CTE ran. Joining the CTE does not ensure it: the planner may scan the table first, with the
 * policy's expression as index condition, and find nothing. An uncorrelated `EXISTS` on the CTE
 * does: it becomes a one-time filter evaluated before the scan below it starts. Every scan of a
 * tenant table in such a statement carries `ACCOUNT_SET` (or depends on a CTE that does).
 */
export const ACCOUNT_CONTEXT_CTE = `account_context AS MATERIALIZED (SELECT set_config('relance.account_id', $1, true) AS account_id)`;

export const ACCOUNT_SET = 'EXISTS (SELECT 1 FROM account_context WHERE account_id IS NOT NULL)';
