// Fastify: app.register(fastifyPlugin(agent)), without a prefix (the routes live at
// agent.mountPath). Inside the plugin's own encapsulation context Fastify's body parsing is
// switched off, so the agent reads the raw body itself, with its own per-route limits.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OpentabError } from '@opentab/protocol';
import { sendError } from '@opentab/server-kit';
import type { MerchantAgent } from '../agent';

export function fastifyPlugin(agent: MerchantAgent): FastifyPluginAsync {
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    // Leaves the stream unread for the agent.
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      const handled = await agent.handle(request.raw, reply.raw);
      if (!handled)
        sendError(
          reply.raw,
          new OpentabError(
            'not_found',
            `Register fastifyPlugin without a prefix: the agent answers under ${agent.mountPath}.`,
          ),
        );
    };
    instance.route({
      method: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      url: `${agent.mountPath}/*`,
      handler: handle,
      exposeHeadRoute: false,
    });
  };
}
