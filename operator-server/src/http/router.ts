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
}

export function bind<R extends RouteSpec>(spec: R, handle: Handler<R>): RouteBinding {
  return { spec, handle: handle as RouteBinding['handle'] };
}

export type RouteMatch =
  | { kind: 'found'; binding: RouteBinding; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: readonly string[] }
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
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === null) continue;
      if (route.binding.spec.method === method) return { kind: 'found', binding: route.binding, params };
      allowed.push(route.binding.spec.method);
    }
    return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
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
