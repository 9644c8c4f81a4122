import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF, as pdf.js (Mozilla's parser) reads it, whitespace collapsed. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  // RELANCE_LETTERS_DIR=/tmp keeps each letter read, to look at (pdftoppm -png).
  const dir = process.env.RELANCE_LETTERS_DIR;
  if (dir) writeFileSync(`${dir}/letter-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.pdf`, bytes);
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const pdf = await task.promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await task.destroy();
  return pages.join('\n').replace(/[\s\u00a0]+/g, ' ');
}
