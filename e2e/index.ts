// The demo world and the page objects the benchmark's browser case shares with the suite.

export * from './fixtures/chromium-extension';
export * from './pages/confirm-window';
export * from './pages/options-page';
export * from './pages/popup-page';
export * from './world/demo-world';
