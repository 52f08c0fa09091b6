// Two operator processes on one PostgreSQL database, each with a storage (and a pool) of its own:
// a rate table one issues is found by id by the other, one order's K1 registrations racing
// through both leave one standing, and so do two escrows, and a key release reaching both is
// logged once. The races are decided by the delivery group's insert-once: each side is held until
// both have read that nothing is kept yet, so both go on to write.

import { describe, expect, it } from 'vitest';
import {
  fromBase64url,
  fromBase64urlOfLength,
  openSealedKey,
  seal,
  sealKey,
  signerFromSecretKey,
  toBase64url,
  verifyEnvelope,
  x25519KeyPair,
  type DeliveryEscrow,
  type DeliveryEscrowPayload,
  type K1RegistrationPayload,
  type K1RequestPayload,
  type PayloadBody,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { keepFirstEscrow } from '../delivery/escrow';
import { keepFirstRegistration } from '../delivery/k1-registration';
import { releaseOnce, type ReleaseEvidence } from '../delivery/key-release';
import { MtaDelivery } from '../delivery/mta-delivery';
import { RateDesk } from '../rates/rate-desk';
import type { RateQuotes } from '../rates/rate-quotes';
import { createLogger } from '../support/logger';
import type { DeliveryAccess } from './operator-records-storage';
import type { OperatorStorage } from './operator-storage';
import { OPERATOR_ID, postgresStoragesOnOneDatabase } from './testing/both-stores';

const NOW_MS = Date.parse('2026-03-02T10:00:00Z');
const HOUR_MS = 3_600_000;
const QUOTES: RateQuotes = {
  base: 'EUR',
  rates: { SEK: '11.3595', USD: '1.0705' },
  source: { publisher: 'ecb', publishedOn: '2024-06-28', sample: true },
};

const operatorSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
const merchantSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
const signing = { crypto: nodeCrypto, identity: { operatorId: OPERATOR_ID, signer: operatorSigner } };
const randomBytes = (length: number) => nodeCrypto.randomBytes(length);

/** One process of the operator: its storage, its rate desk and its delivery part. */
function processOn(storage: OperatorStorage) {
  const desk = new RateDesk({
    tables: storage.rateTables,
    crypto: nodeCrypto,
    signer: () => operatorSigner,
    operatorId: OPERATOR_ID,
    quotes: () => QUOTES,
    lifespan_ms: HOUR_MS,
    maxSourceAge_s: 6 * 86_400,
    log: createLogger(OPERATOR_ID, 'silent'),
  });
  return { storage, desk, delivery: new MtaDelivery(nodeCrypto) };
}

async function twoProcesses() {
  const [first, second] = await postgresStoragesOnOneDatabase(2);
  return [processOn(first!), processOn(second!)] as const;
}

/** `store`, whose first call of `method` answers once every side of the race has read: none writes before. */
function heldAtFirstRead(
  store: DeliveryAccess,
  method: 'registrationJson' | 'escrow' | 'releaseAnswerJson',
  all: Barrier,
): DeliveryAccess {
  let held = false;
  const read = store[method] as (id: string) => Promise<unknown>;
  return {
    ...store,
    [method]: async (id: string) => {
      const answer = await read(id);
      if (!held) {
        held = true;
        await all.arrive();
      }
      return answer;
    },
  };
}

class Barrier {
  private arrived = 0;
  private readonly everyone: Promise<void>;
  private release!: () => void;

  constructor(private readonly parties: number) {
    this.everyone = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  arrive(): Promise<void> {
    this.arrived += 1;
    if (this.arrived === this.parties) this.release();
    return this.everyone;
  }
}

/** An order registered by the first process: its K1 registration as this MTA signed it. */
async function registeredOrder(process: ReturnType<typeof processOn>, orderId: string) {
  const escrowKey = await process.delivery.escrowKey(process.storage.delivery, NOW_MS);
  const registration = seal(
    nodeCrypto,
    operatorSigner,
    {
      type: 'k1-registration',
      operatorId: OPERATOR_ID,
      merchantId: 'shop-1',
      tabId: 'tab_1',
      tabPublicKey: merchantSigner.kid,
      orderId,
      k1: toBase64url(x25519KeyPair(randomBytes).publicKey),
      escrowKey: escrowKey.publicKey,
    } satisfies PayloadBody<K1RegistrationPayload>,
    NOW_MS,
  );
  const entry = { orderId, tabId: 'tab_1', merchantId: 'shop-1', k1: registration.payload.k1 };
  expect(
    await process.storage.delivery.insertRegistration({ ...entry, json: JSON.stringify(registration) }, NOW_MS),
  ).toBe(true);
  return { registration, escrowPublicKey: fromBase64urlOfLength(escrowKey.publicKey, 32) };
}

/** The merchant's escrow of a fresh K2 for the order, sealed to the MTA's escrow key. */
function escrowOf(orderId: string, escrowPublicKey: Uint8Array) {
  const k2 = randomBytes(32);
  const escrow: DeliveryEscrow = seal(
    nodeCrypto,
    merchantSigner,
    {
      type: 'delivery-escrow',
      merchantId: 'shop-1',
      tabId: 'tab_1',
      orderId,
      productId: 'ebook',
      ciphertextHash: toBase64url(randomBytes(32)),
      sealedKey: toBase64url(sealKey(randomBytes, escrowPublicKey, k2, orderId)),
    } satisfies PayloadBody<DeliveryEscrowPayload>,
    NOW_MS,
  );
  return { escrow, k2 };
}

describe('the rate desks of two processes on one PostgreSQL database', () => {
  it('finds a table issued by the other process by its id, signed as issued', async () => {
    const [one, other] = await twoProcesses();
    const issued = await one.desk.currentTable(NOW_MS);
    const found = await other.desk.tableForInitiation(other.storage.rateTables, issued.envelope.payload.id, NOW_MS);
    expect(found).toEqual(issued.envelope.payload);

    // The other starts from that table, and may issue its own (the staff publish one there, say).
    expect((await other.desk.currentTable(NOW_MS + 1)).envelope).toEqual(issued.envelope);
    const otherIssued = await other.storage.transaction((tx) => other.desk.publishNow(tx.rateTables, NOW_MS + 1));
    other.desk.handOutFromNow(otherIssued);
    expect(otherIssued.envelope.payload.id).not.toBe(issued.envelope.payload.id);
    expect((await other.desk.currentTable(NOW_MS + 2)).envelope).toEqual(otherIssued.envelope);
    // The first process finds it inside a transaction of its own.
    const stored = await one.storage.transaction(async (tx) => {
      await one.desk.tableForInitiation(tx.rateTables, otherIssued.envelope.payload.id, NOW_MS + 2);
      return tx.rateTables.rateTable(otherIssued.envelope.payload.id);
    });
    const envelope = JSON.parse(stored!.envelope) as typeof issued.envelope;
    expect(verifyEnvelope(nodeCrypto, envelope, fromBase64urlOfLength(operatorSigner.kid, 32))).toBe(true);

    await expect(other.desk.tableForInitiation(other.storage.rateTables, 'rt_unknown', NOW_MS)).rejects.toThrow(
      expect.objectContaining({ code: 'rate_table_unknown' }),
    );
    // A process starting later resumes from the latest table either issued.
    expect(await processOn(one.storage).desk.lastIssuedQuotes()).toEqual(QUOTES);
  });
});

describe('the secure delivery of two MTA processes on one PostgreSQL database', () => {
  it('registers one K1 for an order whose registration reaches both processes at once', async () => {
    const [one, other] = await twoProcesses();
    const tab = { merchantId: 'shop-1', tabPublicKey: merchantSigner.kid };
    const k1Request = (orderId: string) =>
      seal(
        nodeCrypto,
        merchantSigner,
        {
          type: 'k1-request',
          transactionId: 'tx_1',
          tabId: 'tab_1',
          orderId,
          k1: toBase64url(x25519KeyPair(randomBytes).publicKey),
        } satisfies PayloadBody<K1RequestPayload>,
        NOW_MS,
      );
    const race = (requests: ReturnType<typeof k1Request>[]) => {
      const bothRead = new Barrier(2);
      return Promise.allSettled(
        [one, other].map((process, side) =>
          process.storage.transaction((tx) =>
            keepFirstRegistration(
              signing,
              process.delivery,
              heldAtFirstRead(tx.delivery, 'registrationJson', bothRead),
              tab,
              requests[side]!,
              NOW_MS,
            ),
          ),
        ),
      );
    };

    // The same request twice: both answered with the one registration kept.
    const request = k1Request('order-1');
    const same = await race([request, request]);
    const registrations = same.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : null));
    expect(registrations[0]).not.toBeNull();
    expect(registrations[1]).toEqual(registrations[0]);
    expect(await one.storage.delivery.registrationJson('order-1')).toBe(JSON.stringify(registrations[0]));

    // Another K1 for one order: one stands, the other is a conflict.
    const differing = await race([k1Request('order-2'), k1Request('order-2')]);
    expect(differing.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = differing.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'conflict' });
    const kept = differing.find((outcome) => outcome.status === 'fulfilled') as PromiseFulfilledResult<unknown>;
    expect(await other.storage.delivery.registrationJson('order-2')).toBe(JSON.stringify(kept.value));
  });

  it('keeps one of two escrows of an order racing through both processes, and answers both with its ack', async () => {
    const [one, other] = await twoProcesses();
    for (const orderId of ['order-1', 'order-2', 'order-3']) {
      const { escrowPublicKey } = await registeredOrder(one, orderId);
      const escrows = [escrowOf(orderId, escrowPublicKey).escrow, escrowOf(orderId, escrowPublicKey).escrow];
      const bothRead = new Barrier(2);
      const answers = await Promise.all(
        [one, other].map((process, side) =>
          process.storage.transaction((tx) =>
            keepFirstEscrow(
              signing,
              process.delivery,
              heldAtFirstRead(tx.delivery, 'escrow', bothRead),
              escrows[side]!,
              NOW_MS,
            ),
          ),
        ),
      );
      expect(answers.filter((answer) => answer.kept)).toHaveLength(1);
      const standing = escrows[answers.findIndex((answer) => answer.kept)]!;
      expect(answers.map((answer) => answer.ack.payload.escrowId)).toEqual([standing.payload.id, standing.payload.id]);
      expect(answers[1]!.ack).toEqual(answers[0]!.ack);
      expect((await other.storage.delivery.escrow(orderId))?.escrowJson).toBe(JSON.stringify(standing));
    }
  });

  it('logs a key release once when it reaches both processes, and answers both with the key escrowed', async () => {
    const [one, other] = await twoProcesses();
    const orderId = 'order-1';
    const { registration, escrowPublicKey } = await registeredOrder(one, orderId);
    const { escrow, k2 } = escrowOf(orderId, escrowPublicKey);
    await one.storage.transaction((tx) => keepFirstEscrow(signing, one.delivery, tx.delivery, escrow, NOW_MS));

    const arbiterSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const arbiterKey = x25519KeyPair(randomBytes);
    const request = seal(
      nodeCrypto,
      arbiterSigner,
      { type: 'key-release-request', arbiterKey: toBase64url(arbiterKey.publicKey) },
      NOW_MS,
    );
    const arbiter = { name: 'consumer board', publicKey: arbiterSigner.kid };
    let evidenceChecks = 0;
    const evidence = (): ReleaseEvidence => {
      evidenceChecks += 1;
      return {
        orderId,
        merchantId: 'shop-1',
        k1RegistrationSig: registration.sig,
        ciphertextHash: escrow.payload.ciphertextHash,
      };
    };
    const bothRead = new Barrier(2);
    const answers = await Promise.all(
      [one, other].map((process) =>
        process.storage.transaction((tx) =>
          releaseOnce(
            signing,
            process.delivery,
            heldAtFirstRead(tx.delivery, 'releaseAnswerJson', bothRead),
            { request, arbiter, evidence },
            NOW_MS,
          ),
        ),
      ),
    );
    // Both read that nothing was logged, so both checked and released; the log kept one.
    expect(evidenceChecks).toBe(2);
    expect(answers.filter((answer) => answer.logged !== null)).toHaveLength(1);
    expect(answers[1]!.answer).toEqual(answers[0]!.answer);
    const released = openSealedKey(arbiterKey.secretKey, fromBase64url(answers[0]!.answer.payload.sealedKey), orderId);
    expect(released).toEqual(k2);

    // A replay later, through either process, is answered from the log without a check.
    const replayed = await other.storage.transaction((tx) =>
      releaseOnce(signing, other.delivery, tx.delivery, { request, arbiter, evidence }, NOW_MS + HOUR_MS),
    );
    expect(replayed).toEqual({ answer: answers[0]!.answer, logged: null });
    expect(evidenceChecks).toBe(2);
    expect(await one.storage.delivery.releases()).toEqual([
      {
        requestId: request.payload.id,
        arbiterName: 'consumer board',
        arbiterKey: arbiter.publicKey,
        orderId,
        releasedAt_ms: NOW_MS,
      },
    ]);
  });
});
