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

/** pdfkit's `PDFDocument` (its CommonJS build), loaded once. */
export function pdfDocument(): typeof PDFKit {
  if (loaded) return loaded;
  const pdfkitPath = require.resolve('pdfkit');
  const fontkitPath = require.resolve('fontkit', { paths: [path.dirname(pdfkitPath)] });
  if (!require.cache[fontkitPath]) {
    const onDemand = {
      create(...args: unknown[]) {
        delete require.cache[fontkitPath];
        return (require(fontkitPath) as { create(...args: unknown[]): unknown }).create(...args);
      },
    };
    require.cache[fontkitPath] = {
      id: fontkitPath,
      filename: fontkitPath,
      loaded: true,
      exports: onDemand,
      children: [],
      paths: [],
    } as unknown as NodeJS.Module;
  }
  loaded = require(pdfkitPath) as typeof PDFKit;
  return loaded;
}

/** Whether fontkit itself was loaded (what the stand-in keeps out of the process until a font file is read). */
export function fontEngineLoaded(): boolean {
  const fontkitPath = require.resolve('fontkit', { paths: [path.dirname(require.resolve('pdfkit'))] });
  const entry = require.cache[fontkitPath];
  return entry !== undefined && typeof (entry.exports as { openSync?: unknown }).openSync === 'function';
}
