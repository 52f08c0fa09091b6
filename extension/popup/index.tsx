import browser from 'webextension-polyfill';
import { render } from 'preact';
import { backgroundClient } from '../ui/background-client';
import { deliveryBackground, deliveryPageUrl } from '../ui/delivery-client';
import '../ui/pages.css';
import { Popup } from './Popup';

const deliveries = {
  client: deliveryBackground,
  open: (localId: string) => void browser.tabs.create({ url: deliveryPageUrl(localId) }),
  subscribe: (onChange: () => void) => backgroundClient.subscribe(onChange),
};

render(
  <Popup
    client={backgroundClient}
    openOptions={() => void browser.runtime.openOptionsPage()}
    deliveries={deliveries}
  />,
  document.getElementById('app')!,
);
