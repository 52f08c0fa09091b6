// The delivery window (seed FIG 4): the merchant-signed product description, read before anything
// is ordered; then, once the customer buys, the download with its progress, each package the check
// refused and the merchant's re-send, the decryption, and the saved file. Later (opened from the
// popup) the same page downloads the product again within its access period and exports the
// evidence bundle for an arbiter.

import { useEffect, useState } from 'preact/hooks';
import { fromBase64url, type PackageProblem } from '@opentab/protocol';
import type { DeliveryStep, DeliveryView } from '../messaging/delivery-calls';
import type { CallError, CallResult } from '../messaging/result';
import type { DeliveryClient } from '../ui/delivery-client';
import { ErrorNote } from '../ui/ErrorNote';
import { downloadText, showAmount, showSize } from '../ui/format';
import { decryptProduct, downloadCiphertext, saveFile } from './product-transfer';

const PROBLEM_TEXT: Record<PackageProblem, string> = {
  'bad-signature': "it is not signed by the shop's key",
  'wrong-order': 'it answers another order',
  'wrong-product': 'it is another product',
  'wrong-description': 'it does not match the description you read',
  'wrong-ciphertext': 'the downloaded file is not the one the shop signed',
  'wrong-size': 'the downloaded file has the wrong size',
};

type Activity =
  | { readonly kind: 'idle' }
  | { readonly kind: 'working'; readonly text: string; readonly done_bytes: number; readonly total_bytes: number };

function unwrap<T>(result: CallResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function asCallError(error: unknown): CallError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) return error as CallError;
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

export function DeliveryPage({ client, localId }: { client: DeliveryClient; localId: string }) {
  const [view, setView] = useState<DeliveryView | null>(null);
  const [activity, setActivity] = useState<Activity>({ kind: 'idle' });
  const [error, setError] = useState<CallError | null>(null);

  useEffect(() => {
    void client.call('getDelivery', { localId }).then((result) => {
      if (result.ok) setView(result.value);
      else setError(result.error);
    });
  }, [client, localId]);

  const working = (text: string, done_bytes = 0, total_bytes = 0) =>
    setActivity({ kind: 'working', text, done_bytes, total_bytes });

  async function run(task: () => Promise<void>): Promise<void> {
    setError(null);
    try {
      await task();
    } catch (thrown) {
      setError(asCallError(thrown));
    } finally {
      setActivity({ kind: 'idle' });
      const fresh = await client.call('getDelivery', { localId });
      if (fresh.ok) setView(fresh.value);
    }
  }

  /** Order, then download and check each package the shop sends until one is accepted (or the shop gives up). */
  async function buy(current: DeliveryView): Promise<void> {
    const { product } = current;
    working('Ordering…');
    let step: DeliveryStep = unwrap(await client.call('orderDelivery', { localId }));
    let ciphertext: Blob | null = null;
    while (step.kind === 'download') {
      const { packageId, url, encryptedSize_bytes, attempt } = step;
      const label = attempt > 1 ? `Downloading the shop's re-sent package (attempt ${attempt})…` : 'Downloading…';
      working(label, 0, encryptedSize_bytes);
      const downloaded = await downloadCiphertext(url, encryptedSize_bytes, (done, total) =>
        working(label, done, total),
      );
      ciphertext = downloaded.blob;
      working('Checking the package…');
      step = unwrap(
        await client.call('checkDownload', {
          localId,
          packageId,
          sha256: downloaded.sha256,
          size_bytes: downloaded.size_bytes,
        }),
      );
    }
    if (step.kind === 'aborted' || ciphertext === null) return;
    const source = ciphertext;
    const key = fromBase64url(step.key);
    try {
      const label = 'Decrypting…';
      const file = await decryptProduct(source, key, product.mediaType, source.size, (done, total) =>
        working(label, done, total),
      );
      saveFile(file, product.fileName);
    } catch (thrown) {
      unwrap(await client.call('deliveryFailed', { localId, message: asCallError(thrown).message }));
      return;
    }
    unwrap(await client.call('deliverySaved', { localId }));
  }

  async function downloadAgain(current: DeliveryView): Promise<void> {
    const { product } = current;
    working('Downloading again…');
    const again = unwrap(await client.call('redownload', { localId }));
    const response = await fetch(again.url, { cache: 'no-store', credentials: 'omit' });
    if (!response.ok || response.body === null)
      throw new Error(`The shop answered the download with ${response.status}.`);
    const file = await decryptProduct(
      response.body,
      fromBase64url(again.key),
      product.mediaType,
      again.encryptedSize_bytes,
      (done, total) => working('Downloading again…', done, total),
    );
    saveFile(file, product.fileName);
  }

  async function exportEvidence(): Promise<void> {
    const { fileName, json } = unwrap(await client.call('exportEvidence', { localId }));
    downloadText(fileName, json, 'application/json');
  }

  async function decline(): Promise<void> {
    setView(unwrap(await client.call('declineDelivery', { localId })));
    window.close();
  }

  if (!view)
    return (
      <main class="dialog">
        <h1>Secure delivery</h1>
        {error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>}
      </main>
    );

  const { product } = view;
  const busy = activity.kind === 'working';
  return (
    <main class="dialog">
      <h1>{product.name}</h1>
      <p class="muted small">
        From {view.merchantDisplayName}, described and signed by the shop <span class="ok">✓</span>
      </p>
      <section aria-label="Product description" data-testid="product-description">
        {product.summary ? <p data-testid="product-summary">{product.summary}</p> : null}
        <dl class="terms">
          <dt>File</dt>
          <dd data-testid="product-file">
            {product.fileName} ({product.mediaType}, {showSize(product.size_bytes)})
          </dd>
          <dt>Price</dt>
          <dd class="amount" data-testid="product-price">
            {showAmount(product.price)}
          </dd>
        </dl>
      </section>
      <p class="muted small">
        Opentab checks the file against this description before paying: nothing is charged for a file that fails the
        check, and the shop sends it again.
      </p>
      {view.rejected.map((problem, index) => (
        <p class="warning small" data-testid="refused-package" key={`${index}-${problem}`}>
          Package {index + 1} refused: {PROBLEM_TEXT[problem]}. The shop sends it again.
        </p>
      ))}
      {activity.kind === 'working' ? (
        <div data-testid="delivery-progress">
          <p>{activity.text}</p>
          {activity.total_bytes > 0 ? (
            <p class="muted small">
              <progress max={activity.total_bytes} value={activity.done_bytes} /> {showSize(activity.done_bytes)} of{' '}
              {showSize(activity.total_bytes)}
            </p>
          ) : null}
        </div>
      ) : null}
      <StatusNote view={view} />
      <ErrorNote error={error} />
      <footer class="actions">
        {view.status === 'offered' ? (
          <>
            <button type="button" disabled={busy} onClick={() => void run(decline)}>
              Decline
            </button>
            <span class="spacer" />
            <button type="button" class="primary" disabled={busy} onClick={() => void run(() => buy(view))}>
              Buy and download
            </button>
          </>
        ) : null}
        {view.status === 'ordered' || view.status === 'accepted' ? (
          <button type="button" class="primary" disabled={busy} onClick={() => void run(() => buy(view))}>
            Try again
          </button>
        ) : null}
        {view.status === 'delivered' || view.status === 'failed' ? (
          <>
            <button type="button" disabled={busy} onClick={() => void run(exportEvidence)}>
              Export evidence
            </button>
            <span class="spacer" />
            {view.status === 'delivered' ? (
              <button type="button" class="primary" disabled={busy} onClick={() => void run(() => downloadAgain(view))}>
                Download again
              </button>
            ) : null}
          </>
        ) : null}
      </footer>
    </main>
  );
}

function StatusNote({ view }: { view: DeliveryView }) {
  switch (view.status) {
    case 'delivered':
      return (
        <p class="ok" role="status" data-testid="delivery-status">
          Saved as {view.product.fileName}.
          {view.accessUntil_ms !== null
            ? ` You can download it again until ${new Date(view.accessUntil_ms).toLocaleDateString()}.`
            : ''}
        </p>
      );
    case 'aborted':
      return (
        <p class="warning" role="status" data-testid="delivery-status">
          The shop could not deliver an intact file. Nothing was charged.
        </p>
      );
    case 'declined':
      return (
        <p class="muted" role="status" data-testid="delivery-status">
          You declined this product. Nothing was ordered.
        </p>
      );
    case 'failed':
      return (
        <p class="error" role="status" data-testid="delivery-status">
          Paid, but the file could not be decrypted ({view.failure}). Export the evidence for an arbiter.
        </p>
      );
    default:
      return null;
  }
}
