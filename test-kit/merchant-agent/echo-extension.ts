// The smallest merchant agent extension: one table and one browser-facing route that stores what
// it is sent and says it back. The agent's tests of its extension point use it.

import * as v from 'valibot';
import { route, SMALL_BODY_BYTES } from '@opentab/protocol';
import { agentRoute, type AgentExtension } from '@opentab/merchant-agent/extension';

const Echo = v.strictObject({ type: v.literal('echo'), text: v.pipe(v.string(), v.maxLength(100)) });
const EchoAnswer = v.strictObject({ type: v.literal('echoed'), text: v.string(), count: v.number() });

export const ECHO_API = {
  echo: route({
    method: 'POST',
    path: '/echo',
    summary: 'Say it back',
    auth: 'public',
    request: Echo,
    response: EchoAnswer,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

export const echoExtension: AgentExtension = {
  tables: 'CREATE TABLE IF NOT EXISTS echoes (seq INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL) STRICT;',
  routes: ECHO_API,
  bind: ({ store }) => {
    const insert = store.database.prepare('INSERT INTO echoes (text) VALUES (?)');
    const count = store.database.prepare<[], { n: bigint }>('SELECT COUNT(*) AS n FROM echoes');
    return [
      agentRoute(ECHO_API.echo, true, async (echo) => {
        await store.transaction(async () => insert.run(echo.text));
        return { type: 'echoed' as const, text: echo.text, count: Number(count.get()!.n) };
      }),
    ];
  },
};
