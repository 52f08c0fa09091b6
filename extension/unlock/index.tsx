import { render } from 'preact';
import { backgroundClient } from '../ui/background-client';
import '../ui/pages.css';
import { UnlockView } from './UnlockView';

render(<UnlockView client={backgroundClient} done={() => window.close()} />, document.getElementById('app')!);
