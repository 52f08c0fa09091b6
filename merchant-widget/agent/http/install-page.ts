// The page the widget's "Install Opentab to pay" link opens when the merchant names no page of its
// own (extensionInstallUrl): what Opentab is, and how to add it to Chrome or Firefox, in words a
// reader without it can follow. Plain HTML, no script, nothing from the request in it.

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/** The install page for a shop called `displayName`. */
export function installPageHtml(displayName: string): string {
  const shop = escapeHtml(displayName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay ${shop} with Opentab</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #111827; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
.lead { color: #374151; margin-top: 0; }
li { margin: 0.4rem 0; }
code { background: #f3f4f6; padding: 0 0.25rem; border-radius: 4px; }
</style>
</head>
<body>
<main>
<h1>Pay ${shop} with Opentab</h1>
<p class="lead">Opentab pays a few cents for an article with one click. You approve one deposit per shop;
each click then pays from it at once, and what you do not spend goes back to you when the tab closes.</p>
<h2>1. Add Opentab to your browser</h2>
<ul>
<li><strong>Chrome, Edge, Brave</strong>: open <code>chrome://extensions</code>, turn on <em>Developer mode</em>,
choose <em>Load unpacked</em> and pick the Opentab folder you were given.</li>
<li><strong>Firefox</strong>: open <code>about:debugging#/runtime/this-firefox</code>, choose
<em>Load Temporary Add-on</em> and pick <code>manifest.json</code> in the Opentab folder.</li>
</ul>
<h2>2. Set it up</h2>
<p>Opentab opens its own page once it is added: create your wallet, then enrol with the operator that holds
your account, using the address and the enrolment code it gave you.</p>
<h2>3. Come back and click</h2>
<p>Go back to ${shop} and click a price button. The first time, Opentab asks you to approve a deposit.</p>
</main>
</body>
</html>
`;
}
