import { buildApp } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config.ts';
import { createDatabase } from '../../api/src/store/database.ts';
import { failed, serve } from './child.ts';

/**
 * The real Relance HTTP app, as `api/src/app.ts` builds it, configured from the environment the
 * bench gives (DATABASE_URL, NODE_ENV=test, LOG_LEVEL=silent, RATE_LIMIT_PER_MINUTE, DATABASE_POOL_SIZE).
 */
async function main() {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const database = createDatabase(config.databaseUrl, { max: config.databasePoolSize });
  const app = await buildApp({ config, database });
  await serve(app, () => database.close());
}

main().catch(failed);
