import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '@opentab/protocol';
import { UI_CALL_CHANNEL } from '../messaging/ui-calls';
import { createCustomerAgent } from './agent';
import { createMemoryDatabase } from './storage/memory-database';
import { createMemorySessionArea } from './storage/session-area';
import { PASSPHRASE } from './testing/agent-world';
import { createTestPorts, TEST_SCRYPT_COST } from './testing/test-ports';

// A freshly installed extension has no wallet and nothing on screen says so: the options page
// opens once, where the wallet is created and enrolled. Updates and existing wallets stay quiet.

function freshAgent() {
  const ports = createTestPorts();
  const agent = createCustomerAgent({
    db: createMemoryDatabase(),
    session: createMemorySessionArea(),
    ports,
    crypto: nobleCrypto,
    scryptCost: TEST_SCRYPT_COST,
  });
  return { ports, agent };
}

describe('first run', () => {
  it('opens the options page on a first install without a wallet', async () => {
    const { ports, agent } = freshAgent();
    await agent.onInstalled('install');
    expect(ports.windows.optionsPageOpened).toBe(1);
  });

  it('stays quiet on an update and when a wallet already exists', async () => {
    const { ports, agent } = freshAgent();
    await agent.onInstalled('update');
    await agent.onInstalled('browser_update');
    expect(ports.windows.optionsPageOpened).toBe(0);

    await agent.handleUiCall({ channel: UI_CALL_CHANNEL, call: 'createWallet', params: { passphrase: PASSPHRASE } });
    await agent.onInstalled('install');
    expect(ports.windows.optionsPageOpened).toBe(0);
  });
});
