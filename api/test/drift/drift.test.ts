import t from 'tap';
import {
  ARTEFACTS,
  readCommitted,
  renderEventsDoc,
  renderOpenApi,
  renderSdkOperations,
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
  t.equal(await readCommitted(ARTEFACTS.sdkOperations), renderSdkOperations(openApi), current(ARTEFACTS.sdkOperations));
  const eventsDoc = await readCommitted(ARTEFACTS.eventsDoc);
  t.equal(
    eventsDoc,
    renderEventsDoc(eventsDoc),
    `${current(ARTEFACTS.eventsDoc)}: its catalogue table is the event catalogue`,
  );

  const sdl = await renderSdl();
  t.ok(sdl !== undefined, 'the GraphQL schema renders');
  t.equal(await readCommitted(ARTEFACTS.sdl), sdl, current(ARTEFACTS.sdl));

  const db = await verifyDbTypes(testDb.url);
  t.ok(db.upToDate, current(ARTEFACTS.dbTypes), { diff: db.output });
});
