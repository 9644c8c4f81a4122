import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFKit from 'pdfkit';

// pdfkit, loaded on first use, without the TrueType engine it loads with itself.
//
// pdfkit requires `fontkit` as it loads, to embed TrueType and OpenType fonts: about 20 MiB of
// resident memory (its Unicode tables, a Brotli decoder for WOFF2) in every process that writes
// a letter or a statement. Relance's documents use the PDF standard fonts only (Helvetica), which
// need no font engine. So `fontkit` is entered in Node's module cache (`require.cache`, which
// Node documents as writable) as a stand-in that requires the real package the first time pdfkit
// asks it to read a font file, and pdfkit then works as published.

const require = createRequire(import.meta.url);

let loaded: typeof PDFKit | undefined;

/** Where the fontkit that pdfkit requires is (resolved from pdfkit's own folder). */
const fontkitPath = () => require.resolve('fontkit', { paths: [path.dirname(require.resolve('pdfkit'))] });

/** pdfkit's `PDFDocument` (its CommonJS build), loaded once. */
export function pdfDocument(): typeof PDFKit {
  if (loaded) return loaded;
  const fontkit = fontkitPath();
  if (!require.cache[fontkit]) {
    const onDemand = {
      create(...args: unknown[]) {
        delete require.cache[fontkit];
        return (require(fontkit) as { create(...args: unknown[]): unknown }).create(...args);
      },
    };
    require.cache[fontkit] = {
      id: fontkit,
      filename: fontkit,
      loaded: true,
      exports: onDemand,
      children: [],
      paths: [],
    } as unknown as NodeJS.Module;
  }
  loaded = require('pdfkit') as typeof PDFKit;
  return loaded;
}

/** Whether fontkit itself was loaded (what the stand-in keeps out of the process until a font file is read). */
export function fontEngineLoaded(): boolean {
  const entry = require.cache[fontkitPath()];
  return entry !== undefined && typeof (entry.exports as { openSync?: unknown }).openSync === 'function';
}
