import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import '@opentab/console-ui/base.css';
import './console.css';
import { App } from './App';
import { ConsoleApi } from './api';

render(
  <App connect={(token: string | null) => new ConsoleApi(window.location.origin, token, fetch.bind(window))} />,
  document.getElementById('app')!,
);
