// /openapi.json of a running operator passes Redocly's recommended rules, offline: no error, and
// no warning.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintOpenApi } from '@opentab/test-kit';
import { startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

let world: OperatorWorld;
beforeAll(async () => {
  world = await startOperatorWorld({ operators: [{ operatorId: 'op-se', currency: 'SEK' }] });
});
afterAll(async () => {
  await world?.close();
});

describe('the OpenAPI document of a running operator', () => {
  it('lints clean', async () => {
    const { body } = await send(`${world.operator('op-se').url}/openapi.json`);
    const problems = await lintOpenApi(body);
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(problems.filter((problem) => problem.severity === 'warn').map((problem) => problem.ruleId)).toEqual([]);
  });
});
