// Settings come from the widget's own <script> tag, so a merchant configures it with attributes
// and never with globals:
//   <script src="/opentab/widget.js" data-agent="/opentab" data-install-url="..." defer></script>

export interface WidgetConfig {
  /** GET here returns the merchant's MerchantInfo. */
  infoUrl: string;
  /** Where a customer without the extension is sent to get it. */
  installUrl: string;
}

const DEFAULT_AGENT_PATH = '/opentab/';

/** `agent` as a directory URL, so relative names such as "info" resolve beneath it. */
function agentDirectory(agent: string, baseUrl: string): URL {
  return new URL(agent.endsWith('/') ? agent : `${agent}/`, baseUrl);
}

export function readWidgetConfig(script: Element | null, documentUrl: string): WidgetConfig {
  const scriptUrl = script?.getAttribute('src');
  // The widget is normally served by the agent itself, so its own directory is the best guess.
  const fallbackAgent = scriptUrl ? new URL('./', new URL(scriptUrl, documentUrl)).href : DEFAULT_AGENT_PATH;
  const agent = agentDirectory(script?.getAttribute('data-agent') || fallbackAgent, documentUrl);
  return {
    infoUrl: new URL('info', agent).href,
    installUrl: webUrl(script?.getAttribute('data-install-url'), documentUrl) ?? new URL('install', agent).href,
  };
}

/** Only http(s) links go into the install affordance, never javascript: or data: URLs. */
function webUrl(text: string | null | undefined, baseUrl: string): string | null {
  if (!text) return null;
  const url = new URL(text, baseUrl);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
}
