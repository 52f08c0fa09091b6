// Presence marker for merchant pages (and for the extension tests): the page bridge is here.
// Built as a classic IIFE script: content scripts cannot be ES modules.
const BRIDGE_ATTRIBUTE = 'data-opentab-bridge';

function markPresence(root: Element): void {
  root.setAttribute(BRIDGE_ATTRIBUTE, '1');
}

// At document_start Firefox may run us before <html> exists, so wait for it when needed.
if (document.documentElement) {
  markPresence(document.documentElement);
} else {
  const observer = new MutationObserver(() => {
    if (!document.documentElement) return;
    observer.disconnect();
    markPresence(document.documentElement);
  });
  observer.observe(document, { childList: true });
}
