// One item's UI inside a shadow root: a real <button> (so keyboard, focus and screen readers work
// with no extra code), a note that explains a disabled button, and a polite live region for
// progress and errors. Text goes in through textContent only, never as markup.

import { applyStyles } from './styles';
import { TEXT } from './texts';
import type { ItemView } from './view-model';

export interface ButtonView {
  render(view: ItemView): void;
}

const NOTE_ID = 'opentab-note';
const STATUS_ID = 'opentab-status';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  created.append(...children);
  return created;
}

function showText(target: HTMLElement, text: string | null): void {
  target.textContent = text ?? '';
  target.hidden = !text;
}

export function createButtonView(root: ShadowRoot, activate: () => void): ButtonView {
  applyStyles(root);
  const title = element('span', 'title');
  const price = element('span', 'price');
  const converted = element('span', 'converted');
  // The price and its conversion wrap onto a new line together, never one without the other.
  const button = element('button', '', title, element('span', 'amounts', price, converted));
  button.type = 'button';
  button.setAttribute('part', 'button');
  button.setAttribute('aria-describedby', `${NOTE_ID} ${STATUS_ID}`);

  const noteText = element('span', '');
  const installLink = element('a', 'install');
  installLink.target = '_blank';
  installLink.rel = 'noopener';
  installLink.textContent = TEXT.installLink;
  const note = element('span', 'note', noteText, installLink);
  note.id = NOTE_ID;

  const status = element('span', 'status');
  status.id = STATUS_ID;
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');

  root.append(element('span', 'opentab', button, note, status));

  let actionable = false;
  // aria-disabled instead of disabled: a disabled button drops out of the tab order, and then
  // keyboard and screen-reader users never reach the explanation of why it cannot be used.
  button.addEventListener('click', () => {
    if (actionable) activate();
  });

  return {
    render(view) {
      actionable = view.actionable;
      title.textContent = view.title;
      showText(price, view.settled === null ? view.price : TEXT[view.settled]);
      showText(converted, view.settled === null ? view.convertedPrice : null);
      button.setAttribute('aria-disabled', String(!view.actionable));
      button.setAttribute('aria-busy', String(view.busy));
      button.classList.toggle('paid', view.settled !== null);

      const installing = view.installUrl !== null;
      showText(noteText, installing ? null : view.note);
      installLink.hidden = !installing;
      if (view.installUrl !== null) installLink.href = view.installUrl;
      note.hidden = !view.note;

      // Rewriting identical text would make some screen readers announce it again.
      if (status.textContent !== view.status) status.textContent = view.status;
      status.className = `status ${view.statusStyle}`;
    },
  };
}
