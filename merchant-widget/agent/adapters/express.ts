// Express: app.use(expressAdapter(agent)), anywhere in the chain before body parsers ideally
// (a body parser mounted earlier is tolerated). Requests outside agent.mountPath fall through.

import type { RequestHandler } from 'express';
import type { MerchantAgent } from '../agent';

export function expressAdapter(agent: MerchantAgent): RequestHandler {
  return (request, response, next) => {
    // originalUrl, not url: when mounted as app.use('/opentab', …) Express strips the prefix from url.
    agent.handle(request, response, request.originalUrl).then(
      (handled) => {
        if (!handled) next();
      },
      (error: unknown) => next(error),
    );
  };
}
