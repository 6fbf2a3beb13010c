// The builders as named imports (not TypeBox's `Type` object), so the bundle keeps only those used.
import * as Type from 'typebox';
import type { TArray, TObject, TOptional, TSchema, TString, TUnion, TUnknown } from 'typebox';

/**
 * The building blocks of the routes' Fastify schemas (TypeBox, through Fastify's type provider).
 * Request schemas describe what each route reads and type it for the handler; they do not refuse
 * what the route's own checks word in Auth0's terms (a missing or repeated parameter, a field of the
 * wrong type), so those answers keep Auth0's texts. Reply schemas name each status a route answers
 * and the shape of its JSON.
 */

/** A query string value: once (a string) or repeated (a list). */
export const QueryValue = Type.Union([Type.String(), Type.Array(Type.String())]);
type TQueryValue = TUnion<[TString, TArray<TString>]>;

/** A query string that names the parameters a route reads; others are let through, as Auth0 ignores them. */
export function queryWith<const K extends string>(names: readonly K[]): TObject<{ [P in K]: TOptional<TQueryValue> }> {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.Optional(QueryValue)])), { additionalProperties: true }) as never;
}

/** A body (JSON or a form) that names the fields a route reads; their types are the route's to check. */
export function fieldsOf<const K extends string>(names: readonly K[]): TObject<{ [P in K]: TOptional<TUnknown> }> {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.Optional(Type.Unknown())])), { additionalProperties: true }) as never;
}

/** Path parameters, each a string. */
export function paramsOf<const K extends string>(...names: K[]): TObject<{ [P in K]: TString }> {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.String()]))) as never;
}

/** A JSON object whose every key is sent as the handler built it (serialized in its own order). */
export const AnyObject = Type.Object({}, { additionalProperties: true });
/** A JSON array of such objects. */
export const ObjectList = Type.Array(AnyObject);
/** No body: 204, or an empty 200. */
export const Empty = Type.Null();

/** A list that is an array, or with include_totals the Management API's `{start, limit, …, <key>}`. */
export const ListOrPage = Type.Union([ObjectList, AnyObject]);

/** Auth0's token response, in the order every grant builds it. */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Number(),
  scope: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  recovery_code: Type.Optional(Type.String()),
});

/** Every parameter of the token endpoint's grants (client authentication, the grants' own). */
export const TOKEN_FIELDS = [
  'grant_type', 'client_id', 'client_secret', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'scope', 'audience',
  'username', 'password', 'realm', 'otp', 'client_assertion', 'client_assertion_type', 'organization',
  'mfa_token', 'oob_code', 'binding_code', 'recovery_code', 'auth_session',
] as const;

/** The /authorize parameters Understudy reads (OIDC's, OAuth 2's and Auth0's own); repeated ones are the protocol code's to refuse. */
export const AUTHORIZE_PARAMS = [
  'client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'audience', 'connection', 'prompt', 'max_age', 'response_mode',
  'code_challenge', 'code_challenge_method', 'login_hint', 'ui_locales', 'screen_hint', 'acr_values', 'organization', 'invitation', 'login_ticket',
] as const;

export type { TSchema };
