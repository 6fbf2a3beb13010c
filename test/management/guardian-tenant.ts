/** The Management API's scopes for Guardian, as the Guardian tests' administrator is granted them. */
export const GUARDIAN_SCOPES = [
  'read:guardian_factors', 'update:guardian_factors', 'read:mfa_policies', 'update:mfa_policies',
  'read:guardian_enrollments', 'delete:guardian_enrollments',
];

/** Every scope the Guardian tests' administrator is granted. */
export const ADMIN_SCOPES = ['read:users', 'update:users', 'read:authentication_methods', 'delete:authentication_methods', ...GUARDIAN_SCOPES];
