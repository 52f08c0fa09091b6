// The widget's fixtures: the merchant it is shown for and the pages it is tested on. Plain data,
// for tests in a DOM environment too; the browser around them is in ./widget/browser.

export * from './fixture-data';
export * from './pages';
