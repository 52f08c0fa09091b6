import { render } from 'preact';

// PLACEHOLDER popup: replaced by the real tab list.
function PopupPlaceholder() {
  return <h1>Opentab</h1>;
}

render(<PopupPlaceholder />, document.getElementById('app')!);
