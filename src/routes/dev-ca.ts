import type { FastifyInstance } from 'fastify';
import * as Type from 'typebox';

/**
 * GET /_dev/ca.pem: the local certificate authority of HTTPS mode, so a developer can trust it
 * (NODE_EXTRA_CA_CERTS, curl --cacert, the browser's authorities). Only the certificate, never its key.
 */
export async function devCaRoutes(app: FastifyInstance, caPem: string): Promise<void> {
  app.get('/_dev/ca.pem', { schema: { response: { 200: Type.String() } } }, async (_request, reply) =>
    reply
      .type('application/x-pem-file')
      .header('Content-Disposition', 'inline; filename="understudy-ca.pem"')
      .header('Cache-Control', 'no-cache')
      .send(caPem),
  );
}
