// What the operator console (operator-server/console) and the merchant dashboard
// (merchant-widget/agent/dashboard) share. Browser code: Preact and uPlot, nothing of Node.

export { Chart, type ChartProps } from './Chart';
export { amount, type Amount, errorText, when } from './format';
export { type Loaded, useLoad } from './use-load';
