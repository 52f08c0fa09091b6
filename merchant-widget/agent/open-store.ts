// Opens the store the settings name.

import type { AgentLogger } from './config';
import { PostgresAgentStore } from './postgres-store';
import { SqliteAgentStore } from './sqlite-store';
import type { AgentStore } from './store';
import type { AgentStoreSettings } from './store-config';

export async function openAgentStore(settings: AgentStoreSettings, logger: AgentLogger): Promise<AgentStore> {
  if (settings.kind === 'sqlite') return SqliteAgentStore.open(settings.path);
  return PostgresAgentStore.open(settings, (error) =>
    logger.warn('a PostgreSQL connection failed; the pool opens another', error),
  );
}
