// Memory that lives as long as the browser session and never touches the disk: storage.session
// in the browser. The unlocked identity key and the last-activity time live here and nowhere else.

export interface SessionArea {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

export function createMemorySessionArea(): SessionArea {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key),
    set: async (key, value) => {
      values.set(key, value);
    },
    remove: async (key) => {
      values.delete(key);
    },
  };
}
