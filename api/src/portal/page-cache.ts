import { gzipSync } from 'node:zlib';
import type { RenderedPage } from './page.ts';

export type CachedPage = RenderedPage & { gzipped: Buffer };

/**
 * Rendered pages by link, each valid for one version of what it shows, the least recently used
 * dropped first once the pages hold more than `maxBytes` (their HTML and its gzip): a few kB for
 * most customers, about 100 kB for one with 200 open invoices.
 */
export class PageCache {
  readonly #pages = new Map<string, CachedPage & { version: string; bytes: number }>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get(link: string, version: string): CachedPage | undefined {
    const page = this.#pages.get(link);
    if (page?.version !== version) return undefined;
    this.#pages.delete(link);
    this.#pages.set(link, page);
    return page;
  }

  set(link: string, version: string, page: RenderedPage): CachedPage {
    const gzipped = gzipSync(page.html);
    const entry = { ...page, version, gzipped, bytes: Buffer.byteLength(page.html) + gzipped.length };
    this.#drop(link);
    // A page larger than the whole cache is served, not kept.
    if (entry.bytes > this.#maxBytes) return entry;
    this.#pages.set(link, entry);
    this.#bytes += entry.bytes;
    for (const oldest of this.#pages.keys()) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#drop(oldest);
    }
    return entry;
  }

  #drop(link: string): void {
    const page = this.#pages.get(link);
    if (!page) return;
    this.#pages.delete(link);
    this.#bytes -= page.bytes;
  }
}
