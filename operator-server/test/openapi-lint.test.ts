// /openapi.json of a running operator passes Redocly's recommended rules, offline: no error, and
// no warning.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintOpenApi } from '@opentab/test-kit';
import { startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';


let plain: OperatorWorld;
let withBaseline: OperatorWorld;
beforeAll(async () => {
  plain = await startOperatorWorld({ operators: [{ operatorId: 'op-se', currency: 'SEK' }] });
  // The prior-art baseline adds routes of its own to the document.
  withBaseline = await startOperatorWorld({ operators: [{ operatorId: 'op-eu', currency: 'EUR' }], settings: { priorArtBaseline: true } });
});
afterAll(async () => {
  await plain?.close();
  await withBaseline?.close();
});

describe('the OpenAPI document of a running operator', () => {
  it.each([
    ['as configured by default', () => plain.operator('op-se').url],
    ['serving the prior-art baseline too', () => withBaseline.operator('op-eu').url],
  ])('lints clean %s', async (_, url) => {
    const { body } = await send(`${url()}/openapi.json`);
    const problems = await lintOpenApi(body);
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const warnings = problems.filter((problem) => problem.severity === 'warn').map((problem) => problem.ruleId);
    expect(warnings).toEqual([]);
  });
});
