// What the operator serves its staff outside the JSON API: /metrics for Prometheus (behind the
// admin token, as every admin route) and the console's files under /console.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { OpentabError } from '@opentab/protocol';
import { sendError } from '@opentab/server-kit';
import { authorizeAdmin, type RequestObservation } from '../http/http-server';
import { staffOfRequest } from '../staff/staff-auth';
import type { Router } from '@opentab/server-kit';
import type { OperatorContext } from '../operator-context';
import { serveConsole } from './console-files';
import { RequestMetrics, prometheusText } from './metrics';
import { figuresOf } from './operations-handlers';

export interface AdminPages {
  readonly pages: (request: IncomingMessage, response: ServerResponse, pathname: string) => Promise<boolean>;
  readonly observe: (observation: RequestObservation) => void;
}

export function adminPages(context: OperatorContext, router: Router): AdminPages {
  const requests = new RequestMetrics();
  return {
    observe({ method, pathname, status, duration_ms }) {
      const match = router.match(method === 'HEAD' ? 'GET' : method, pathname);
      const route = match.kind === 'found' ? match.binding.spec.path : pathname === '/metrics' ? pathname : 'other';
      requests.observe(route, method, status, duration_ms);
      // The console's own files say nothing about the operator's work.
      if (route !== 'other') context.traffic.observe(route, duration_ms, context.clock.now_ms());
    },
    async pages(request, response, pathname) {
      if (pathname === '/metrics') {
        request.resume();
        try {
          await authorizeAdmin(request, context.config.adminToken, (r) => staffOfRequest(context, r));
        } catch (error) {
          if (!(error instanceof OpentabError)) throw error;
          sendError(response, error);
          return true;
        }
        const text = prometheusText(
          context.identity.operatorId,
          await figuresOf(context, context.clock.now_ms()),
          requests,
        );
        response.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        response.end(text);
        return true;
      }
      return serveConsole(request, response, pathname);
    },
  };
}
