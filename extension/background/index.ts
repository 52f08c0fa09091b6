// PLACEHOLDER background: proves the service worker / background script loads.
// Replaced by the real customer agent.
console.info('opentab: background placeholder loaded');
