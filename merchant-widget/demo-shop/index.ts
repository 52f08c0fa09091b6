// The demo shop: The Opentab Times, a merchant site with the agent mounted.

export * from './content';
export * from './server';
export { DELIVERY_FOLDER, type SizedProduct } from './delivered-goods';
