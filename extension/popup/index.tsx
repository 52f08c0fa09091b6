import browser from 'webextension-polyfill';
import { render } from 'preact';
import { backgroundClient } from '../ui/background-client';
import '../ui/pages.css';
import { Popup } from './Popup';

render(
  <Popup client={backgroundClient} openOptions={() => void browser.runtime.openOptionsPage()} />,
  document.getElementById('app')!,
);
