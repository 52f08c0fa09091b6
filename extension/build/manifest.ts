// Turns the one source manifest (the top-level manifest.json) into each browser's manifest.
// Pure: no file access, so it is unit-tested on its own.

export type Target = 'chrome' | 'firefox';
export const TARGETS: readonly Target[] = ['chrome', 'firefox'];

export interface Background {
  service_worker?: string;
  scripts?: string[];
  type?: 'module' | 'classic';
}

export interface Manifest {
  manifest_version: number;
  name: string;
  version: string;
  background?: Background;
  browser_specific_settings?: Record<string, unknown>;
  [key: string]: unknown;
}

export function manifestFor(target: Target, source: Manifest): Manifest {
  if (source.manifest_version !== 3) throw new Error('manifest: only Manifest V3 is supported');
  const worker = source.background?.service_worker;
  if (!worker) throw new Error('manifest: background.service_worker is required');
  const { browser_specific_settings, background, ...common } = structuredClone(source);
  const type = background?.type;

  if (target === 'chrome') {
    // Chrome warns about the unknown Gecko key; it only needs the service worker.
    return { ...common, background: { service_worker: worker, ...(type && { type }) } };
  }
  // Firefox has no extension service workers: the same bundle runs as a background script.
  return {
    ...common,
    background: { scripts: [worker], ...(type && { type }) },
    ...(browser_specific_settings && { browser_specific_settings }),
  };
}

/** Every packaged file the manifest names, so a build can prove none is missing. */
export function referencedFiles(manifest: Manifest): string[] {
  const files = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') files.add(value);
  };
  const addValues = (record: unknown): void => {
    if (record && typeof record === 'object') Object.values(record).forEach(add);
  };

  const { background } = manifest;
  add(background?.service_worker);
  background?.scripts?.forEach(add);
  addValues(manifest.icons);
  const action = manifest.action as { default_popup?: unknown; default_icon?: unknown } | undefined;
  add(action?.default_popup);
  addValues(action?.default_icon);
  add((manifest.options_ui as { page?: unknown } | undefined)?.page);
  const contentScripts = (manifest.content_scripts ?? []) as { js?: unknown[]; css?: unknown[] }[];
  for (const script of contentScripts) {
    script.js?.forEach(add);
    script.css?.forEach(add);
  }
  return [...files].sort();
}
