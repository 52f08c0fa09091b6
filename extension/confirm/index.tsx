import { render } from 'preact';
import { backgroundClient } from '../ui/background-client';
import '../ui/pages.css';
import { ConfirmView } from './ConfirmView';

const requestId = new URLSearchParams(window.location.search).get('request') ?? '';

render(
  <ConfirmView client={backgroundClient} requestId={requestId} done={() => window.close()} />,
  document.getElementById('app')!,
);
