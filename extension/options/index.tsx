import { render } from 'preact';
import { backgroundClient } from '../ui/background-client';
import '../ui/pages.css';
import { Options } from './Options';

render(<Options client={backgroundClient} />, document.getElementById('app')!);
