import * as Type from 'typebox';
import type { Static, TObject } from 'typebox';
import type { StrategyGroup } from '../tenant/strategies.js';

/**
 * A connection's `options`, as Understudy reads them for each group of strategies
 * (tenant/strategies.ts). Only the keys listed here are read, and only they are type-checked: every
 * other key of an export's options (Auth0 has hundreds, such as google-oauth2's `email: true` or
 * Apple's `name: true`) is left alone whatever its type, and counted among the keys with no effect.
 * The keys and their types are those of node-auth0's ConnectionOptions<Strategy> types
 * (docs/research/auth0-connection-options.md).
 */
const closed = { additionalProperties: false } as const;

const Totp = Type.Object(
  {
    length: Type.Optional(Type.Integer({ minimum: 4, maximum: 12 })),
    time_step: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  closed,
);

const shared = {
  disable_signup: Type.Optional(Type.Boolean()),
  brute_force_protection: Type.Optional(Type.Boolean()),
};

const PasswordlessEmail = Type.Object(
  {
    ...shared,
    totp: Type.Optional(Totp),
    // The passwordless email itself, in Liquid.
    email: Type.Optional(
      Type.Object(
        { from: Type.Optional(Type.String()), subject: Type.Optional(Type.String()), body: Type.Optional(Type.String()), syntax: Type.Optional(Type.Literal('liquid')) },
        closed,
      ),
    ),
  },
  closed,
);

const PasswordlessSms = Type.Object(
  {
    ...shared,
    totp: Type.Optional(Totp),
    // The SMS text and its sender.
    template: Type.Optional(Type.String()),
    syntax: Type.Optional(Type.Union([Type.Literal('liquid'), Type.Literal('md_with_macros')])),
    from: Type.Optional(Type.String()),
  },
  closed,
);

const Database = Type.Object(
  {
    ...shared,
    requires_username: Type.Optional(Type.Boolean()),
    // How users log in: { password, passkey, email_otp, phone_otp }, each { enabled } (Auth0's authentication methods).
    authentication_methods: Type.Optional(Type.Object({
      password: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) })),
      email_otp: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) })),
      phone_otp: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) })),
    })),
    // The password policy sign-up and resets check (users/password-policy.ts); inner keys Understudy does not read are let through.
    passwordPolicy: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('low'), Type.Literal('fair'), Type.Literal('good'), Type.Literal('excellent'), Type.Null()])),
    password_complexity_options: Type.Optional(Type.Object({ min_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 128 })) })),
    password_no_personal_info: Type.Optional(Type.Object({ enable: Type.Optional(Type.Boolean()) })),
    password_dictionary: Type.Optional(Type.Object({ enable: Type.Optional(Type.Boolean()), dictionary: Type.Optional(Type.Array(Type.String(), { maxItems: 200 })) })),
    password_history: Type.Optional(Type.Object({ enable: Type.Optional(Type.Boolean()), size: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 })) })),
    validation: Type.Optional(
      Type.Object(
        {
          username: Type.Optional(
            Type.Object({ min: Type.Optional(Type.Integer({ minimum: 1 })), max: Type.Optional(Type.Integer({ minimum: 1 })) }, closed),
          ),
        },
        closed,
      ),
    ),
  },
  closed,
);

const Enterprise = Type.Object(
  {
    // Home-realm discovery: an email at one of these domains goes to this connection.
    domain_aliases: Type.Optional(Type.Array(Type.String())),
    tenant_domain: Type.Optional(Type.String()),
  },
  closed,
);

const Social = Type.Object({}, closed);

export const CONNECTION_OPTIONS_SCHEMAS: Record<StrategyGroup, TObject> = {
  email: PasswordlessEmail,
  sms: PasswordlessSms,
  database: Database,
  enterprise: Enterprise,
  social: Social,
};

/** What any connection's options may hold once checked against its group (each group has a part of it). */
export type ConnectionOptions = Partial<
  Static<typeof PasswordlessEmail> & Static<typeof PasswordlessSms> & Static<typeof Database> & Static<typeof Enterprise>
>;
