// date-holidays-parser ships its types (types/index.d.ts, an ambient module) without pointing
// its `exports` at them, so TypeScript's node resolution does not find them: this brings them in.
/// <reference path="../../../node_modules/date-holidays-parser/types/index.d.ts" />
