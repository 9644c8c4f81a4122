import t from 'tap';
import {
  ARTEFACTS,
  readCommitted,
  renderOpenApi,
  renderSdkTypes,
  renderSdl,
  verifyDbTypes,
} from '../../../scripts/generate.ts';
import { createTestDatabase } from '../helpers/database.ts';

const current = (file: string) => `${file} is what the code generates (if not: run npm run generate)`;

t.test('committed artefacts match the code', async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(() => testDb.drop());

  const openApi = await renderOpenApi(testDb.url);
  t.equal(await readCommitted(ARTEFACTS.openApi), openApi, current(ARTEFACTS.openApi));
  t.equal(await readCommitted(ARTEFACTS.sdkTypes), await renderSdkTypes(openApi), current(ARTEFACTS.sdkTypes));

  const sdl = await renderSdl();
  if (sdl === undefined) t.pass(ARTEFACTS.sdl, { skip: 'api/src/graphql/schema.ts does not exist yet' });
  else t.equal(await readCommitted(ARTEFACTS.sdl), sdl, current(ARTEFACTS.sdl));

  const db = await verifyDbTypes(testDb.url);
  t.ok(db.upToDate, current(ARTEFACTS.dbTypes), { diff: db.output });
});
