import type { CallError } from '../messaging/result';

/** A failure the customer can read, with its code for support. */
export function ErrorNote({ error }: { error: CallError | null }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" data-code={error.code}>
      {error.message}
    </p>
  );
}
