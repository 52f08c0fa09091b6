import { render } from 'preact';
import { deliveryBackground } from '../ui/delivery-client';
import '../ui/pages.css';
import { DeliveryPage } from './DeliveryPage';

const localId = new URLSearchParams(location.search).get('delivery') ?? '';
render(<DeliveryPage client={deliveryBackground} localId={localId} />, document.getElementById('app')!);
