import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/** The widget's budget: what a customer downloads with every merchant page, compressed. */
export const WIDGET_GZIP_BUDGET_BYTES = 10 * 1024;

export interface ScriptSize {
  raw_bytes: number;
  gzip_bytes: number;
}

export async function measureScript(path: string): Promise<ScriptSize> {
  const content = await readFile(path);
  // Level 9 is what static servers and CDNs typically precompress with.
  return { raw_bytes: content.length, gzip_bytes: gzipSync(content, { level: 9 }).length };
}
