import { render } from 'preact';

// PLACEHOLDER options page: replaced by the real account settings.
function OptionsPlaceholder() {
  return <h1>Opentab options</h1>;
}

render(<OptionsPlaceholder />, document.getElementById('app')!);
