// Entry of dist/widget/widget.js, loaded by the merchant's page as a classic (deferred) script.

import { readWidgetConfig } from './config';
import { startWidget } from './start-widget';

// Only readable while this script's top level runs; null afterwards.
const ownScript = document.currentScript;

// A page that includes the tag twice gets one widget, not two sets of buttons.
if (!window.Opentab) {
  window.Opentab = startWidget(readWidgetConfig(ownScript, document.baseURI));
}
