import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText } from './format';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly reload: () => void;
}

/** Runs `load` now and whenever `deps` change or `reload` is called; keeps its last answer or error. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(null);
      },
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { data, error, reload: useCallback(() => setRound((n) => n + 1), []) };
}
