// Finds the page's [data-opentab-item] elements, now and whenever the page adds or retags one,
// and gives each a shadow root for the widget UI so page styles and widget styles never meet.

export const ITEM_ATTRIBUTE = 'data-opentab-item';
/** Marks an item the shop delivers encrypted (secure delivery): a click buys it with `deliver`, not `pay`. */
export const DELIVERY_ATTRIBUTE = 'data-opentab-delivery';

export interface MountedItem {
  /** The page's own element: events are raised on it, and its text is the title. */
  element: Element;
  shadowRoot: ShadowRoot;
  ownTitle: string;
}

// The elements the DOM lets carry a shadow root (custom elements may already use theirs).
const SHADOW_HOST_TAGS = new Set([
  'article',
  'aside',
  'blockquote',
  'div',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'main',
  'nav',
  'p',
  'section',
  'span',
]);

function ownTitleOf(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The shadow root for `element`: on the element itself where allowed; otherwise (a <button>, an
 * <a>) the element moves into a new <span> host as an unslotted child. Unslotted children are not
 * rendered or focusable, yet stay in the document, so the page's references and listeners on the
 * element keep working and events raised on it still bubble to document.
 */
function attachRoot(element: Element): ShadowRoot {
  if (SHADOW_HOST_TAGS.has(element.localName) && !element.shadowRoot) {
    return element.attachShadow({ mode: 'open' });
  }
  const host = document.createElement('span');
  element.replaceWith(host);
  host.append(element);
  return host.attachShadow({ mode: 'open' });
}

export function mountItem(element: Element): MountedItem {
  const ownTitle = ownTitleOf(element);
  return { element, ownTitle, shadowRoot: attachRoot(element) };
}

function itemElementsIn(node: Node): Element[] {
  if (!(node instanceof Element)) return [];
  const found = Array.from(node.querySelectorAll(`[${ITEM_ATTRIBUTE}]`));
  return node.hasAttribute(ITEM_ATTRIBUTE) ? [node, ...found] : found;
}

/** Calls `onFound` with the item elements present now, then with each batch the page adds later. */
export function watchItemElements(root: Element, onFound: (elements: Element[]) => void): void {
  onFound(itemElementsIn(root));
  new MutationObserver((records) => {
    const found = new Set<Element>();
    for (const record of records) {
      if (record.type === 'attributes' && record.target instanceof Element) {
        for (const element of itemElementsIn(record.target)) found.add(element);
      }
      for (const node of record.addedNodes) for (const element of itemElementsIn(node)) found.add(element);
    }
    if (found.size) onFound([...found]);
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: [ITEM_ATTRIBUTE] });
}
