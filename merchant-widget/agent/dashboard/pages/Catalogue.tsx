// The catalogue as it is sold now; an owner changes an item or adds one, at once. A new price
// applies to purchases made after it.

import { useState } from 'preact/hooks';
import { amount, errorText, useLoad } from '@opentab/console-ui';
import type { PageProps } from '../App';
import type { CatalogueView } from '../types';

interface Draft {
  itemId: string;
  title: string;
  price: string;
  kind: 'entitlement' | 'consumable';
  access_days: string;
}

const EMPTY: Draft = { itemId: '', title: '', price: '', kind: 'entitlement', access_days: '30' };

export function Catalogue({ api, me }: PageProps) {
  const catalogue = useLoad(() => api.get<CatalogueView>('/admin/catalogue'), [api]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const currency = catalogue.data?.chainUnit.currency ?? me.currency;
  const save = (d: Draft) =>
    api
      .post<CatalogueView>('/admin/catalogue/items', {
        itemId: d.itemId,
        title: d.title,
        price: { currency, value: d.price },
        kind: d.kind,
        ...(d.kind === 'entitlement' ? { access_s: Math.round(Number(d.access_days) * 86_400) } : {}),
      })
      .then(
        () => {
          setOutcome(`Saved ${d.itemId}: sold at ${d.price} ${currency} from now on.`);
          setDraft(null);
          catalogue.reload();
        },
        (failure: unknown) => setOutcome(errorText(failure)),
      );
  return (
    <section>
      <h1>Catalogue</h1>
      {catalogue.error !== null && <p class="error">{catalogue.error}</p>}
      {outcome !== null && <p role="status">{outcome}</p>}
      {me.role === 'owner' && draft === null && (
        <button type="button" onClick={() => setDraft({ ...EMPTY })}>
          Add an item
        </button>
      )}
      {draft !== null && (
        <form
          aria-label="Edit item"
          onSubmit={(event) => {
            event.preventDefault();
            void save(draft);
          }}
        >
          <label>
            Item id
            <input
              value={draft.itemId}
              required
              onInput={(e) => setDraft({ ...draft, itemId: e.currentTarget.value })}
            />
          </label>
          <label>
            Title
            <input value={draft.title} required onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
          </label>
          <label>
            Price ({currency})
            <input
              value={draft.price}
              required
              inputMode="decimal"
              onInput={(e) => setDraft({ ...draft, price: e.currentTarget.value })}
            />
          </label>
          <label>
            Kind
            <select
              value={draft.kind}
              onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as Draft['kind'] })}
            >
              <option value="entitlement">Entitlement (bought once, then open)</option>
              <option value="consumable">Consumable (sold every time)</option>
            </select>
          </label>
          {draft.kind === 'entitlement' && (
            <label>
              Access (days)
              <input
                value={draft.access_days}
                inputMode="decimal"
                onInput={(e) => setDraft({ ...draft, access_days: e.currentTarget.value })}
              />
            </label>
          )}
          <div class="actions">
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <table aria-label="Catalogue">
        <thead>
          <tr>
            <th>Item</th>
            <th>Title</th>
            <th class="amount">Price</th>
            <th>Kind</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(catalogue.data?.items ?? []).map((item) => (
            <tr key={item.itemId} data-item={item.itemId}>
              <td class="id">{item.itemId}</td>
              <td>{item.title}</td>
              <td class="amount">{amount(item.price)}</td>
              <td>
                {item.kind}
                {item.access_s !== null ? ` (${Math.round(item.access_s / 86_400)} days)` : ''}
              </td>
              <td>
                {me.role === 'owner' && (
                  <button
                    type="button"
                    onClick={() =>
                      setDraft({
                        itemId: item.itemId,
                        title: item.title,
                        price: item.price.value,
                        kind: item.kind,
                        access_days: item.access_s === null ? '30' : String(item.access_s / 86_400),
                      })
                    }
                  >
                    Edit
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
