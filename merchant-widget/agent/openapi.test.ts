// The agent describes its own API at /opentab/openapi.json, as the operator does, and the
// document passes Redocly's recommended rules.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { lintOpenApi } from '@opentab/test-kit';
import { AgentHarness, ECHO_API, echoExtension } from '@opentab/test-kit/merchant-agent';

let plain: AgentHarness;
let extended: AgentHarness;
beforeAll(async () => {
  plain = await AgentHarness.start();
  extended = await AgentHarness.start({ extensions: [echoExtension] });
});
afterAll(async () => {
  await plain?.close();
  await extended?.close();
});

describe('the merchant agent OpenAPI document', () => {
  it('lists every route the agent serves, with its auth, relative to where the agent is mounted', async () => {
    const answer = await plain.request('/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body as any;
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: '/opentab', description: expect.any(String) }]);
    for (const [name, spec] of Object.entries(MERCHANT_AGENT_API)) {
      expect(document.paths[spec.path]?.[spec.method.toLowerCase()], name).toMatchObject({
        operationId: name,
        'x-opentab-auth': spec.auth,
      });
    }
    expect(document.paths['/mta/tab-information'].post.description).toMatch(/signed by the merchant's operator/);
    expect(Object.keys(document.paths)).not.toContain(ECHO_API.echo.path);
    // An extension's routes are described beside the agent's own.
    const withExtension = (await extended.request('/openapi.json')).body as any;
    expect(withExtension.paths[ECHO_API.echo.path].post.operationId).toBe('echo');
  });

  it.each([
    ['as configured by default', () => plain],
    ['with an extension', () => extended],
  ])('lints clean %s', async (_, harness) => {
    const problems = await lintOpenApi((await harness().request('/openapi.json')).body);
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(problems.filter((problem) => problem.severity === 'warn').map((problem) => problem.ruleId)).toEqual([]);
  });

  it('answers only GET and HEAD there', async () => {
    const answer = await plain.request('/openapi.json', { method: 'POST', body: '{}' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });
});
