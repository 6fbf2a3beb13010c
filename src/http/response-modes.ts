import type { FastifyReply } from 'fastify';
import { originOf } from '../oauth/redirect-uri.js';
import { redirectLocation, type AuthorizationResult } from '../oauth/authorization-response.js';
import { securePage } from './security-headers.js';

/** Sends an /authorize answer in its response mode, or the browser to the second factor the login still owes. */
export function sendAuthorizationResult(reply: FastifyReply, answer: AuthorizationResult | { location: string }): FastifyReply | Promise<FastifyReply> {
  reply.header('Cache-Control', 'no-store');
  if ('location' in answer) return reply.redirect(answer.location, 302);
  const result = answer;
  switch (result.responseMode) {
    case 'form_post':
      return reply.status(200).type('text/html; charset=utf-8').view('oauth/form-post', {
        action: result.redirectUri,
        fields: Object.entries(result.params),
        nonce: securePage(reply, 'form-post'),
      });
    case 'web_message': {
      // The message goes only to the redirect_uri's origin, which /authorize checked against the client.
      const response = { type: 'authorization_response', response: result.params };
      // Frameable: auth0-spa-js runs it in a hidden iframe (src/http/security-headers.ts).
      return reply.status(200).type('text/html; charset=utf-8').view('oauth/web-message', {
        targetOriginJson: scriptJson(originOf(result.redirectUri) ?? ''),
        responseJson: scriptJson(response),
        nonce: securePage(reply, 'web-message'),
      });
    }
    default:
      return reply.redirect(redirectLocation(result), 302);
  }
}

/** JSON safe to place inside a <script> element: nothing in it can close the element or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
