// The widget in a real browser against fixture pages and a stand-in extension bridge.

export * from './browser-harness';
export * from './fixture-server';
