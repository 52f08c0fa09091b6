// Binds route specs to handlers and finds the binding for a request. Paths are matched
// segment by segment; `{name}` segments capture one URL-decoded segment.

import type { IncomingMessage } from 'node:http';
import type { RequestOf, ResponseOf, RouteSpec } from '@opentab/protocol';

export interface HandlerContext {
  readonly now_ms: number;
  readonly params: Readonly<Record<string, string>>;
  readonly query: unknown;
  readonly request: IncomingMessage;
}

export type Handler<R extends RouteSpec> = (
  body: RequestOf<R>,
  context: HandlerContext,
) => Promise<ResponseOf<R>> | ResponseOf<R>;

export interface RouteBinding {
  readonly spec: RouteSpec;
  readonly handle: (body: unknown, context: HandlerContext) => Promise<unknown> | unknown;
  /** Called from browsers (web pages, an extension's background), so it answers CORS and preflights. */
  readonly crossOrigin?: boolean;
  /** A POST that writes nothing: answered without waiting for the disk. */
  readonly readOnly?: boolean;
}

export interface BindingOptions {
  readonly crossOrigin?: boolean;
  readonly readOnly?: boolean;
}

export function bind<R extends RouteSpec>(spec: R, handle: Handler<R>, options: BindingOptions = {}): RouteBinding {
  // The edge validates the body against spec.request before the handler sees it.
  return { spec, handle: handle as RouteBinding['handle'], ...options };
}

export type RouteMatch =
  | { kind: 'found'; binding: RouteBinding; params: Record<string, string> }
  /** `bindings`: the routes on that path, none of which takes the method. */
  | { kind: 'method_not_allowed'; bindings: readonly RouteBinding[] }
  | { kind: 'not_found' };

interface CompiledRoute {
  readonly binding: RouteBinding;
  readonly segments: readonly string[];
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(bindings: readonly RouteBinding[]) {
    this.routes = bindings.map((binding) => ({ binding, segments: binding.spec.path.split('/') }));
  }

  get bindings(): readonly RouteBinding[] {
    return this.routes.map((route) => route.binding);
  }

  match(method: string, pathname: string): RouteMatch {
    const segments = pathname.split('/');
    const onPath: RouteBinding[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === null) continue;
      if (route.binding.spec.method === method) return { kind: 'found', binding: route.binding, params };
      onPath.push(route.binding);
    }
    return onPath.length > 0 ? { kind: 'method_not_allowed', bindings: onPath } : { kind: 'not_found' };
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const segment = actual[i]!;
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (segment.length === 0) return null;
      try {
        params[expected.slice(1, -1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (expected !== segment) {
      return null;
    }
  }
  return params;
}
