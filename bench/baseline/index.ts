// The benchmark's baseline: the prior art of the seed (FIG 1), every purchase a full payment
// (customer → AM → MTA → merchant agent), plugged into the operators and the merchant agent as
// extensions so that `npm run bench` measures tabs against it on the same servers and stores.

export { directPaymentExtension } from './operator/extension';
export { directOrderExtension, type DirectOrderExtension } from './agent/extension';
export * from './direct-payer';
