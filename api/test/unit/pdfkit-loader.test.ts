import { createRequire } from 'node:module';
import path from 'node:path';
import t from 'tap';
import { fontEngineLoaded, pdfDocument } from '../../src/documents/pdfkit.ts';

// pdfkit is loaded without its TrueType engine (fontkit, about 20 MiB resident): letters and
// statements use the PDF standard fonts. The engine comes in only when a font file is read.

async function write(build: (doc: InstanceType<ReturnType<typeof pdfDocument>>) => void): Promise<Buffer> {
  const PDFDocument = pdfDocument();
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', resolve));
  build(doc);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

t.test('standard fonts: a PDF written, the font engine never loaded', async (t) => {
  const pdf = await write((doc) => {
    doc.font('Helvetica-Bold').fontSize(11).text('Mise en demeure de payer');
    doc.font('Helvetica').text('Montant dû : 1 234,56 €');
    doc.font('Helvetica-Oblique').text('Lettre recommandée');
  });
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF');
  t.match(pdf.toString('latin1'), /\/BaseFont \/Helvetica-Bold/, 'with the standard fonts');
  t.equal(fontEngineLoaded(), false, 'fontkit not loaded');
  t.equal(pdfDocument(), pdfDocument(), 'loaded once');
});

t.test('a TrueType font file: the engine loads then, and embeds it', async (t) => {
  const fonts = path.join(
    path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
    'standard_fonts',
  );
  const pdf = await write((doc) => {
    doc.font(path.join(fonts, 'LiberationSans-Regular.ttf')).fontSize(12).text('Embedded');
  });
  t.equal(fontEngineLoaded(), true, 'fontkit loaded on demand');
  t.match(pdf.toString('latin1'), /\/FontFile2/, 'the font embedded');
});
