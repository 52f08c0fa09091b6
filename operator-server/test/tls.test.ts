// Real TLS on 127.0.0.1: a throwaway CA signs one server certificate that both operators and the
// merchant's site serve; every party trusts that CA through its transport option, and nothing
// turns certificate checks off. A whole tab runs over https, a renewed certificate is served
// without a restart, and a bad renewal is refused while the old certificate stays in service.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { createNodeHttpTransport, nodeHttpTransport } from '@opentab/server-kit';
import { createTestCa, issueServerCertificate, type TestCa } from '@opentab/test-kit';
import type { BillingRecord } from '../src/billing/billing-records';
import { checkedBillingRecord, verifyWebhookSignature } from '../src/billing/sinks';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

const WEBHOOK_SECRET = 'a-webhook-secret-of-some-length';

let ca: TestCa;
let certificateFile: string;
let keyFile: string;
let webhook: { server: HttpsServer; url: string; records: BillingRecord[] };
let w: TwoOperatorWorld;

/** A billing receiver on https with the same certificate: the operators must trust the CA to reach it. */
async function startWebhookReceiver(cert: string, key: string): Promise<typeof webhook> {
  const records: BillingRecord[] = [];
  const server = createHttpsServer({ cert, key }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const signed = verifyWebhookSignature(
        WEBHOOK_SECRET,
        body,
        request.headers['opentab-signature'] as string | undefined,
        Math.floor(Date.now() / 1000),
      );
      if (signed) records.push(checkedBillingRecord(JSON.parse(body)));
      response.writeHead(signed ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/billing`, records };
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `url` is shown (checked against the CA). */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), ca: [ca.certificatePem], servername: 'localhost' },
      () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        socket.end();
        resolve(fingerprint);
      },
    );
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opentab-tls-'));
  ca = createTestCa(join(dir, 'ca'));
  certificateFile = join(dir, 'server', 'fullchain.pem');
  keyFile = join(dir, 'server', 'privkey.pem');
  const served = issueServerCertificate(ca, certificateFile, keyFile);
  webhook = await startWebhookReceiver(served.certificatePem, served.keyPem);
  w = await startTwoOperatorWorld({
    tls: { certificateFile, keyFile, caCertificateFile: ca.certificateFile },
    settings: { billingSinks: [{ kind: 'webhook', url: webhook.url, secret: WEBHOOK_SECRET }] },
  });
});

afterEach(async () => {
  await w.assertInvariants();
});

afterAll(async () => {
  await w?.close();
  await new Promise<void>((resolve) => (webhook === undefined ? resolve() : webhook.server.close(() => resolve())));
});

describe('operators, peers and a merchant agent on https, trusting a private CA', () => {
  it('open, pay, close and clear a tab with every call over TLS', async () => {
    for (const operatorId of [CUSTOMER_OPERATOR, MERCHANT_OPERATOR])
      expect(w.world.operator(operatorId).url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(w.merchant.agentUrl).toMatch(/^https:/);

    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
    await tab.terminate(w.merchant.agentUrl);
    // The agent delivers its record to the MTA itself, over https, trusting the CA.
    const delivery = await waitFor('the MTA to acknowledge the merchant record', async () => {
      const state = await w.merchant.agent.recordDelivery(tab.tabId);
      return state?.acknowledged === true ? state : undefined;
    });
    expect(delivery).toMatchObject({ lastError: null, refusedCode: null });
    await customer.sendRecord(tab);

    const cleared = await waitFor('the MTA to clear on both records', async () => {
      const view = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: { currency: 'EUR', value: '0.08' } });
    // The clearing reached the customer's AM over https, and both billing records the webhook.
    await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared');
    const billed = await waitFor('both billing records at the webhook', () => {
      const types = webhook.records.map((record) => record.recordType).sort();
      return types.includes('deposit') && types.includes('withdrawal') ? types : undefined;
    });
    expect(billed).toEqual(['deposit', 'withdrawal']);
  });

  it('is unreachable for a client that does not trust the CA, and over plain http', async () => {
    const url = w.world.operator(CUSTOMER_OPERATOR).url;
    const untrusting = await callRoute(url, OPERATOR_API.operatorInfo, undefined, {
      transport: nodeHttpTransport,
    }).catch((error: unknown) => error);
    expect(untrusting).toBeInstanceOf(RemoteCallError);
    expect((untrusting as RemoteCallError).failure).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/certificate/),
    });
    // A plain-http request gets no answer a client could read as the operator's.
    const cleartext = await callRoute(url.replace('https:', 'http:'), OPERATOR_API.operatorInfo, undefined, {
      transport: nodeHttpTransport,
    }).catch((error: unknown) => error);
    expect(cleartext).toBeInstanceOf(RemoteCallError);
    const trusting = createNodeHttpTransport({ trustedCaCertificates: [ca.certificatePem] });
    expect((await callRoute(url, OPERATOR_API.operatorInfo, undefined, { transport: trusting })).operatorId).toBe(
      CUSTOMER_OPERATOR,
    );
  });
});

describe('certificate renewal', () => {
  it('serves a renewed certificate to new connections without a restart', async () => {
    const operator = w.world.operator(MERCHANT_OPERATOR);
    const running = operator.running;
    const before = await servedFingerprint(operator.url);

    // As a renewal tool does: new key and certificate written over the old files.
    issueServerCertificate(ca, certificateFile, keyFile);
    const after = await waitFor('the renewed certificate to be served', async () => {
      const fingerprint = await servedFingerprint(operator.url);
      return fingerprint !== before ? fingerprint : undefined;
    });
    expect(after).not.toBe(before);
    // Same process, same state, still answering over https with the CA trusted.
    expect(w.world.operator(MERCHANT_OPERATOR).running).toBe(running);
    expect(running.reloadTlsCertificate()).toEqual({ outcome: 'unchanged' });
    const info = await callRoute(operator.url, OPERATOR_API.operatorInfo, undefined, {
      transport: createNodeHttpTransport({ trustedCaCertificates: [ca.certificatePem] }),
    });
    expect(info.operatorId).toBe(MERCHANT_OPERATOR);
  });

  it('refuses a renewal whose key does not match, and keeps serving the certificate it has', async () => {
    const operator = w.world.operator(CUSTOMER_OPERATOR);
    await waitFor(
      'the last renewal to be in service',
      async () => operator.running.reloadTlsCertificate()?.outcome === 'unchanged',
    );
    const serving = await servedFingerprint(operator.url);
    const dir = mkdtempSync(join(tmpdir(), 'opentab-tls-other-'));
    const stray = issueServerCertificate(ca, join(dir, 'cert.pem'), join(dir, 'key.pem'));
    // Half a renewal: a new certificate beside the old key.
    writeFileSync(certificateFile, stray.certificatePem);
    expect(operator.running.reloadTlsCertificate()).toEqual({
      outcome: 'refused',
      problems: [`the TLS key file ${keyFile} does not hold the key of the certificate in ${certificateFile}`],
    });
    expect(await servedFingerprint(operator.url)).toBe(serving);
    // The rest of the renewal arrives: now it is served.
    writeFileSync(keyFile, stray.keyPem);
    expect(operator.running.reloadTlsCertificate()).toMatchObject({ outcome: 'reloaded' });
    expect(await servedFingerprint(operator.url)).not.toBe(serving);
  });
});
