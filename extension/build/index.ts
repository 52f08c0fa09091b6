// Builds the unpacked extension for Chromium and Firefox.

export * from './build';
export * from './manifest';
