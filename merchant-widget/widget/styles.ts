// Styles live in one constructable stylesheet shared by every shadow root. Adopted sheets are not
// subject to CSP style-src (no <style> element, no style attribute), so the widget renders under a
// strict policy without 'unsafe-inline'. Pages theme it through the --opentab-* custom properties,
// which inherit into the shadow root, or through ::part(button).

const CSS = `
:host{display:inline-block;font:inherit;color:inherit;vertical-align:middle}
[hidden]{display:none!important}
.opentab{display:inline-flex;flex-direction:column;align-items:flex-start;gap:.25em;max-width:100%}
button{display:inline-flex;flex-wrap:wrap;align-items:baseline;gap:.5em;margin:0;padding:.5em 1em;
 font:inherit;font-weight:600;cursor:pointer;border:1px solid transparent;border-radius:var(--opentab-radius,6px);
 color:var(--opentab-on-accent,#fff);background:var(--opentab-accent,#1a5fb4)}
button:hover{filter:brightness(1.1)}
button:focus-visible{outline:3px solid var(--opentab-focus,#f5a623);outline-offset:2px}
button[aria-disabled=true]{cursor:not-allowed;color:#333;background:#e8e8e8;border-color:#999;filter:none}
button[aria-busy=true]{cursor:progress}
button.paid{color:#0b3d1b;background:#d3f2dc;border-color:#2e8540}
.amounts{display:inline-flex;align-items:baseline;gap:.5em}
.converted{font-weight:400;opacity:.85}
.note,.status{font-size:.85em}
.status:empty{display:none}
.status.error{color:var(--opentab-error,#b00020)}
.unseen{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
a{color:inherit}
`;

let sharedSheet: CSSStyleSheet | null = null;

function supportsAdoptedSheets(root: ShadowRoot): boolean {
  return 'adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype;
}

export function applyStyles(root: ShadowRoot): void {
  if (supportsAdoptedSheets(root)) {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sharedSheet];
    return;
  }
  // Browsers without constructable sheets (Safari before 16.4): a CSP with style-src lacking
  // 'unsafe-inline' will block this, leaving unstyled but working buttons.
  const style = document.createElement('style');
  style.textContent = CSS;
  root.append(style);
}
