import { render } from 'preact';

// PLACEHOLDER confirm page: replaced by the real payment confirmation.
function ConfirmPlaceholder() {
  return <h1>Opentab: confirm payment</h1>;
}

render(<ConfirmPlaceholder />, document.getElementById('app')!);
