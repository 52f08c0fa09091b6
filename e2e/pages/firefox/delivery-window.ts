// The delivery window in Firefox: found among the browser's pages once the extension opens it.
// Downloads land in the browser's download folder (set by the fixture), so a saved file is
// awaited there, complete (no ".part" left and the expected size).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { clickButton, textOf, waitForText } from './dom';

const SAVE_WAIT_MS = 120_000;
const POLL_MS = 100;

export class FirefoxDeliveryWindow {
  constructor(
    readonly page: Page,
    private readonly downloadDir: string,
  ) {}

  description(): Promise<string> {
    return textOf(this.page, '[data-testid="product-description"]');
  }

  status(): Promise<string> {
    return textOf(this.page, '[data-testid="delivery-status"]');
  }

  refusedPackages(): Promise<string[]> {
    return this.page.$$eval('[data-testid="refused-package"]', (nodes) => nodes.map((node) => node.textContent ?? ''));
  }

  async buyAndDownload(): Promise<void> {
    await clickButton(this.page, 'Buy and download');
    await waitForText(this.page, 'Saved as');
  }

  exportEvidence(): Promise<void> {
    return clickButton(this.page, 'Export evidence');
  }

  /** The name of the first saved file whose name starts with `prefix`, once there is one. */
  async savedName(prefix: string): Promise<string> {
    const deadline_ms = Date.now() + SAVE_WAIT_MS;
    while (Date.now() < deadline_ms) {
      const found = readdirSync(this.downloadDir).find((name) => name.startsWith(prefix) && !name.endsWith('.part'));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`no file named ${prefix}… was saved in ${this.downloadDir} within ${SAVE_WAIT_MS} ms`);
  }

  /** The bytes of `fileName` in the download folder, once the browser has finished saving it. */
  async savedFile(fileName: string, size_bytes?: number): Promise<Buffer> {
    const path = join(this.downloadDir, fileName);
    const deadline_ms = Date.now() + SAVE_WAIT_MS;
    while (Date.now() < deadline_ms) {
      const complete =
        existsSync(path) &&
        !existsSync(`${path}.part`) &&
        (size_bytes === undefined ? statSync(path).size > 0 : statSync(path).size === size_bytes);
      if (complete) return readFileSync(path);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`${fileName} was not saved in ${this.downloadDir} within ${SAVE_WAIT_MS} ms`);
  }
}
