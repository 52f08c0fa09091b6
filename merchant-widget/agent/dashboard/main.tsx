import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import '@opentab/console-ui/base.css';
import './dashboard.css';
import { App } from './App';
import { DashboardApi, mountOf } from './api';

const base = `${window.location.origin}${mountOf(window.location.pathname)}`;
render(
  <App base={base} connect={(token) => new DashboardApi(base, token, fetch.bind(window))} />,
  document.getElementById('app')!,
);
